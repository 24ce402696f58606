"""``gezondewijk run``, ``demo``, ``scenario``, ``monitor``, ``sullivan`` and the presets."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from gezondewijk._errors import ConfigError, PresetError
from gezondewijk.outputs import parse_formats, write_all
from gezondewijk.run import MapResult, monitor_change, write_monitor
from gezondewijk.run.build import build_map_state, prepare
from gezondewijk.run.in_parts import goes_in_parts
from gezondewijk.run.monitor import DEFAULT_SES, DEFAULT_VARIABLES
from gezondewijk.scoring import available_presets
from gezondewijk.settings import OUTPUT_FORMATS, RunConfig, load_config

if TYPE_CHECKING:
    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _print_summary(result: MapResult, written: dict[str, list[Path]]) -> None:
    s = result.summary()
    n = len(result.preset.indicators)
    print()
    if result.synthetic:
        print("*** synthetische voorbeelddata — geen echte metingen ***")
    print(f"Gezondheidskaart {result.name} — preset {result.preset.name}")
    print(f"  cellen: {s['cellen']}   buurten: {s['buurten']}   indicatoren: {n}")
    for j in result.joins:
        print(f"  {j}")
    print("  indicatoren beschikbaar (buurten met gegevens):")
    available = s["indicatoren_beschikbaar_buurt"]
    assert isinstance(available, dict)
    for ind in result.preset.indicators:
        used = result.buurten[f"{ind.key}_status"].value_counts().to_dict()
        text = ", ".join(f"{k} {v}" for k, v in sorted(used.items()) if v)
        print(f"    {ind.label:<34} {available[ind.key]:>5}/{s['buurten']}  ({text})")
    for level, key in (("cellen", "score_cellen"), ("buurten", "score_buurten")):
        dist = s[key]
        assert isinstance(dist, dict)
        total = sum(dist.values()) or 1
        print(f"  scoreverdeling {level} (0–{n}):")
        for score in range(n + 1):
            count = dist.get(score, 0)
            bar = "█" * round(40 * count / total)
            print(f"    {score}: {count:>8}  {bar}")
    for note in result.notes:
        print(f"  let op: {note}")
    print("Uitvoer / output:")
    for kind, paths in written.items():
        for p in paths:
            print(f"  {kind:<10} {p}")


def _scenarios(files: list[Path], run: Path | None, out: Path, quiet: bool) -> int:
    """Run each scenario on one base (the run computed once), then compare them."""
    from gezondewijk.scenarios import prepare_base, read_scenario, run_scenario
    from gezondewijk.scenarios.write import write_comparison, write_scenario_outputs

    scenarios = [read_scenario(f) for f in files]
    run = run or scenarios[0].run
    if run is None:
        raise ConfigError(
            'geen run: geef --run pad/naar/run.toml, of zet run = "..." in het scenario.'
        )
    stream = None if quiet else sys.stderr
    base = prepare_base(load_config(run), stream=stream)
    if not quiet:
        print(f"uitgangssituatie klaar in {base.seconds:.1f} s", file=sys.stderr)
    results = []
    for number, scenario in enumerate(scenarios, start=1):
        result = run_scenario(base, scenario)
        page = write_scenario_outputs(base, result, out / f"scenario-{scenario.name}")
        results.append(result)
        if not quiet:
            print(
                f"[{number}/{len(scenarios)}] {scenario.title}: "
                f"{int(result.applied.touched.sum())} cellen veranderd, "
                f"{result.seconds:.1f} s → {page}",
                file=sys.stderr,
            )
    page = write_comparison(base, results, out)
    print(f"Vergelijking: {page}")
    return 0


def _run(
    config: RunConfig,
    out: Path | None,
    quiet: bool,
    scheduler: str | None = None,
    workers: int | None = None,
) -> int:
    stream = None if quiet else sys.stderr
    folder = out or config.output_dir
    on_cluster = scheduler is not None or workers is not None
    prepared = prepare(config, stream=stream)
    if goes_in_parts(config, prepared.joined.buurten, cluster=on_cluster):
        from gezondewijk.outputs.in_parts import write_in_parts

        result, written = write_in_parts(
            prepared,
            folder,
            formats=None if config.formats is None else tuple(config.formats),
            html=config.html_map,
            stream=stream,
        )
    else:
        if not on_cluster:
            result = build_map_state(config, stream=stream, prepared=prepared)[0]
        else:
            from gezondewijk.run.cluster import Cluster

            with Cluster.connect(scheduler, workers=workers or 2) as cluster:
                result = build_map_state(config, stream=stream, cluster=cluster, prepared=prepared)[
                    0
                ]
        if not quiet:
            print(f"uitvoer schrijven naar {folder} ...", file=sys.stderr)
        written = write_all(
            result,
            folder,
            html=config.html_map,
            max_map_cells=config.max_map_cells,
            formats=config.formats,
            stream=stream,
        )
    _print_summary(result, written)
    if "html" in written:
        print(f"\nOpen de kaart / open the map: {written['html'][0].resolve().as_uri()}")
    return 0


def _monitor(args: argparse.Namespace) -> int:
    return _monitor_tables(
        args.before,
        args.after,
        args.buurten,
        args.out,
        gemeenten=args.gemeente,
        variables=[v.strip() for v in args.variables.split(",") if v.strip()],
        ses=args.ses,
        target=args.target,
        kind=args.kind,
    )


def _monitor_tables(
    before: Path,
    after: Path,
    buurten: Path,
    out: Path,
    *,
    gemeenten: list[str] | None = None,
    variables: list[str] | None = None,
    ses: str = DEFAULT_SES,
    target: float = 0.2,
    kind: str = "auto",
) -> int:
    """Change per buurt between two tables, printed and written to ``out``."""
    from gezondewijk.equity.monitoring import NOISE_MARGINS, NOISE_MARGINS_MEDIAN

    result = monitor_change(
        before,
        after,
        buurten,
        gemeenten=gemeenten or [],
        variables=variables or list(DEFAULT_VARIABLES),
        ses=ses,
        target_reduction=target,
        kind=kind,
    )
    for var, rows in result.change.groupby("variabele", sort=False):
        counts = rows.loc[rows["verschil"].notna(), "ruis"].value_counts()
        own = int(counts.get(NOISE_MARGINS, 0))
        median = int(counts.get(NOISE_MARGINS_MEDIAN, 0))
        if own or median:
            print(
                f"  {var}: ruis uit de gepubliceerde 95%-marges ({own} buurten eigen marges"
                + (f", {median} de mediaan" if median else "")
                + ")"
            )
        elif len(counts):
            print(f"  {var}: ruis uit {counts.index[0]}")
    write_monitor(result, out)
    y0, y1 = result.before_year, result.after_year
    print(f"Verandering {y0} → {y1} in {result.n_buurten} buurten:")
    for var, rows in result.change.groupby("variabele"):
        counts = rows["oordeel"].value_counts().to_dict()
        text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        median = rows["verschil"].median()
        print(f"  {var}: mediane verandering {median:+.1f}, {text}")
    for var, why in result.skipped.items():
        print(f"  {var}: {why}")
    if result.trend is not None:
        for var, trend in result.trend.groupby("variabele", sort=False):
            sii = trend[trend["maat"] == "sii"].set_index("jaar")
            print(
                f"  SII {var}: {sii.loc[y0, 'schatting']:.2f} → {sii.loc[y1, 'schatting']:.2f}"
                f" ({sii.loc[y1, 'voortgang_pct']:+.0f} % van doel −{100 * target:.0f} %)"
            )
    print(f"Tabellen in {out}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.preset:
        config = config.model_copy(update={"preset": args.preset})
    if args.formats:
        config = config.model_copy(update={"formats": list(parse_formats(args.formats))})
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers: geef minstens 1 worker op.")
    return _run(config, args.out, args.quiet, args.scheduler, args.workers)


def _cmd_demo(args: argparse.Namespace) -> int:
    """The synthetic town: its map, its scenarios and its monitoring, one after the other."""
    from gezondewijk.demo.flow import prepare_demo, write_demo_scenario_files

    demo = prepare_demo(args.out / "invoer")
    print(f"Synthetische invoer geschreven naar {demo.folder}", file=sys.stderr)
    code = _run(load_config(demo.run_file), args.out, args.quiet)
    if code:
        return code
    print("\nScenario's (synthetisch):", file=sys.stderr)
    files = write_demo_scenario_files(demo)
    code = _scenarios(files, demo.run_file, args.out / "scenarios", args.quiet)
    if code:
        return code
    print("\nMonitoring 2016 → 2020 (synthetisch):")
    return _monitor_tables(demo.health_before, demo.health_after, demo.buurten, args.out)


def _cmd_scenario(args: argparse.Namespace) -> int:
    return _scenarios(args.scenarios, args.run, args.out, args.quiet)


def _cmd_sullivan(args: argparse.Namespace) -> int:
    from gezondewijk.equity.tables import sullivan_from_file

    result = sullivan_from_file(args.table, method=args.methode)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(args.out, index=False)
    first = result.groupby("gebied", sort=False).head(1)
    for row in first.itertuples():
        name = row.gebied or "gebied"
        if row.e != row.e:  # NaN: not computed
            print(f"{name}: niet berekend / not computed: {row.suppression}")
            if "20" in str(row.suppression):
                print("  Geef de 20 groepen 0, 1-4, …, 90+, of --methode sullivan-gids.")
            continue
        print(
            f"{name}: levensverwachting {row.e:.1f} jaar "
            f"({row.e_lower:.1f}–{row.e_upper:.1f}), "
            f"waarvan {row.hle:.1f} in goede gezondheid ({row.hle_pct:.1f} %)"
        )
        if row.suppressed:
            print(f"  LET OP / NOTE: PHE zou dit niet publiceren: {row.suppression}")
    print(f"Tabel: {args.out}")
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    for name in available_presets():
        print(name)
    return 0


def _cmd_preset(args: argparse.Namespace) -> int:
    if args.name not in available_presets():
        raise PresetError(
            f"unknown preset '{args.name}'; choose one of {', '.join(available_presets())}."
        )
    res = resources.files("gezondewijk.scoring") / "presets" / f"{args.name}.toml"
    print(res.read_text(encoding="utf-8"), end="")
    return 0


def add_run(sub: _Subparsers) -> None:
    """The ``run`` and ``demo`` subcommands."""
    run = sub.add_parser("run", help="build the stacked health map from a configuration file")
    run.set_defaults(handler=_cmd_run)
    run.add_argument("config", type=Path, help="run configuration (.toml), see examples/")
    run.add_argument("--out", type=Path, help="output folder (overrides output_dir)")
    run.add_argument("--preset", help="preset name or .toml path (overrides the config)")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    run.add_argument(
        "--formats",
        "--formaten",
        help=f"which outputs, comma-separated: {', '.join(OUTPUT_FORMATS)} (default: all); "
        "the metadata CSVs are always written",
    )
    run.add_argument(
        "--scheduler",
        help="run on a Dask cluster: the scheduler's address (tcp://host:8786); "
        "the input files must be at the same paths on every worker",
    )
    run.add_argument(
        "--workers",
        type=int,
        help="run on a Dask LocalCluster of this many worker processes on this machine",
    )
    demo = sub.add_parser("demo", help="generate the synthetic town and build its map")
    demo.set_defaults(handler=_cmd_demo)
    demo.add_argument("--out", type=Path, default=Path("uitvoer/demo"))
    demo.add_argument("--quiet", action="store_true")


def add_monitor(sub: _Subparsers) -> None:
    """The ``monitor`` subcommand."""
    mon = sub.add_parser("monitor", help="change per buurt between two years, and inequality")
    mon.set_defaults(handler=_monitor)
    mon.add_argument(
        "--before", "--voor", type=Path, required=True, help="RIVM/StatLine table, base year"
    )
    mon.add_argument(
        "--after", "--na", type=Path, required=True, help="the same table, a later year"
    )
    mon.add_argument("--buurten", type=Path, required=True, help="buurt outlines (population)")
    mon.add_argument("--gemeente", action="append", default=[], help="GM code filter")
    mon.add_argument(
        "--variables",
        "--variabelen",
        default=",".join(DEFAULT_VARIABLES),
        help="comma-separated variables (default %(default)s)",
    )
    mon.add_argument(
        "--ses", default=DEFAULT_SES, help="variable that ranks buurten by socio-economic status"
    )
    mon.add_argument(
        "--target", "--doel", type=float, default=0.2, help="target reduction of the SII"
    )
    mon.add_argument(
        "--kind",
        choices=["auto", "rivm", "statline"],
        default="auto",
        help="table kind; auto: RIVM when a column is a RIVM health estimate",
    )
    mon.add_argument("--out", type=Path, default=Path("uitvoer/monitor"))


def add_methods(sub: _Subparsers) -> None:
    """The ``scenario``, ``sullivan``, ``presets`` and ``preset`` subcommands."""
    scen = sub.add_parser(
        "scenario", help="what would measures change? scenarios on a run, with health effects"
    )
    scen.set_defaults(handler=_cmd_scenario)
    scen.add_argument("scenarios", nargs="+", type=Path, help="scenario files (.toml)")
    scen.add_argument("--run", type=Path, help="run configuration (default: the scenario's 'run')")
    scen.add_argument("--out", type=Path, default=Path("uitvoer/scenarios"))
    scen.add_argument("--quiet", action="store_true")
    sul = sub.add_parser("sullivan", help="healthy life expectancy per area (Sullivan)")
    sul.set_defaults(handler=_cmd_sullivan)
    sul.add_argument("table", type=Path, help="CSV/xlsx: leeftijd, bevolking, sterfte, goed_pct")
    sul.add_argument("--out", type=Path, default=Path("uitvoer/sullivan.csv"))
    sul.add_argument(
        "--methode",
        choices=["phe", "sullivan-gids"],
        default="phe",
        help="phe: PHE's life table (a0 = 0.1, the 20 bands 0, 1-4, …, 90+ required); "
        "sullivan-gids: Jagger et al. 2014 (a = 0.5 in every band, any bands, e.g. to 85+)",
    )
    sub.add_parser("presets", help="list the shipped presets").set_defaults(handler=_cmd_presets)
    show = sub.add_parser("preset", help="print a shipped preset, to copy and edit")
    show.set_defaults(handler=_cmd_preset)
    show.add_argument("name")
