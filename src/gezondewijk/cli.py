"""Command line: ``gezondewijk fetch``, ``run``, ``demo``, ``monitor``, ``sullivan``, ``serve``.

The CLI only parses arguments and prints; the work is done by the library
(:func:`gezondewijk.run.build_map`, :func:`gezondewijk.run.monitor_change` and
:mod:`gezondewijk.outputs`).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from importlib import resources
from pathlib import Path

from gezondewijk._errors import ConfigError, GezondewijkError, PresetError
from gezondewijk.outputs import parse_formats, write_all
from gezondewijk.run import MapResult, build_map, monitor_change, write_monitor
from gezondewijk.run.monitor import DEFAULT_SES, DEFAULT_VARIABLES
from gezondewijk.scoring import available_presets
from gezondewijk.settings import OUTPUT_FORMATS, RunConfig, load_config

#: What ``gezondewijk --help`` says (plain text: the module docstring is for developers).
DESCRIPTION = (
    "gezondewijk: stacked health maps of buurten and 100 m cells, the Leefplekmeter web app "
    "and monitoring. Start with 'gezondewijk demo', or 'gezondewijk fetch GM0503' and then "
    "'gezondewijk run <run file>'."
)


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
    if scheduler is None and workers is None:
        result = build_map(config, stream=stream)
    else:
        from gezondewijk.run.cluster import Cluster

        with Cluster.connect(scheduler, workers=workers or 2) as cluster:
            result = build_map(config, stream=stream, cluster=cluster)
    folder = out or config.output_dir
    if not quiet:
        print(f"uitvoer schrijven naar {folder} ...", file=sys.stderr)
    written = write_all(
        result,
        folder,
        html=config.html_map,
        max_map_cells=config.max_map_cells,
        formats=config.formats,
        stream=None if quiet else sys.stderr,
    )
    _print_summary(result, written)
    if "html" in written:
        print(f"\nOpen de kaart / open the map: {written['html'][0].resolve().as_uri()}")
    return 0


def _monitor(args: argparse.Namespace) -> int:
    from gezondewijk.equity.monitoring import NOISE_MARGINS, NOISE_MARGINS_MEDIAN

    result = monitor_change(
        args.before,
        args.after,
        args.buurten,
        gemeenten=args.gemeente,
        variables=[v.strip() for v in args.variables.split(",") if v.strip()],
        ses=args.ses,
        target_reduction=args.target,
        kind=args.kind,
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
    write_monitor(result, args.out)
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
                f" ({sii.loc[y1, 'voortgang_pct']:+.0f} % van doel −{100 * args.target:.0f} %)"
            )
    print(f"Tabellen in {args.out}")
    return 0


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gezondewijk"


def _fetch(args: argparse.Namespace) -> int:
    from gezondewijk.fetch import fetch_gemeenten
    from gezondewijk.settings import gemeente_codes

    if args.check:
        return _fetch_check(args)
    if not args.gemeenten:
        raise ConfigError(
            "fetch: geef een of meer gemeentecodes op (bijvoorbeeld GM0503), of --check."
        )
    codes = gemeente_codes(args.gemeenten)
    result = fetch_gemeenten(
        codes,
        year=args.year,
        cache=args.cache,
        run_file=args.run_file,
        osm=args.osm,
        offline=args.offline,
        refresh=args.refresh,
        stream=sys.stderr,
    )
    print(f"\nBronnen / sources ({len(result.inputs.sources)}):")
    for record in result.inputs.sources:
        print(f"  {record.summary()}")
    for note in result.inputs.notes:
        print(f"  let op: {note}")
    print(f"\nRunbestand / run file: {result.run_file}")
    print(f"Volgende stap / next: gezondewijk run {result.run_file}")
    return 0


def _fetch_check(args: argparse.Namespace) -> int:
    """One small request per source; exit 0 when all are as expected, 1 when one differs."""
    import tempfile

    from gezondewijk.fetch import Downloader, Endpoints
    from gezondewijk.fetch.check import check_sources, format_results
    from gezondewijk.settings import gemeente_codes

    if args.offline:
        raise ConfigError("fetch --check vraagt de bronnen zelf; laat --offline weg.")
    gemeente = gemeente_codes(args.gemeenten or ["GM0503"])[0]
    print(f"Bronnen controleren voor {gemeente}, jaar {args.year} …", file=sys.stderr)
    with tempfile.TemporaryDirectory() as cache, Downloader(Path(cache), retries=2) as dl:
        results = check_sources(dl, Endpoints.from_env(), args.year, gemeente)
    print(format_results(results))
    differ = [r for r in results if not r.ok]
    if differ:
        print(
            f"\n{len(differ)} van {len(results)} bronnen wijken af van wat gezondewijk verwacht; "
            "meld het bij gezondewijk met deze tabel.",
            file=sys.stderr,
        )
    return 1 if differ else 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gezondewijk.web import WebSettings, create_app

    settings = WebSettings.from_env(public_url=f"http://{args.host}:{args.port}")
    if args.demo and settings.environment == "production":
        raise ConfigError(
            "serve --demo makes the account demo@gezondewijk.nl with a published password and "
            "fills a campaign with generated answers; it is refused when "
            "GEZONDEWIJK_ENVIRONMENT=production. Leave out --demo, or try the demo in "
            "development."
        )
    app = create_app(settings)
    if args.demo:
        from gezondewijk.demo import make_synthetic_town
        from gezondewijk.demo.leefplekmeter import (
            DEMO_EMAIL,
            DEMO_PASSWORD,
            make_demo_campaign,
            make_demo_workshop,
        )

        town = make_synthetic_town()
        areas = list(zip(town.buurten["buurtcode"], town.buurten["buurtnaam"], strict=True))
        campaign = make_demo_campaign(app.state.sessions, areas=areas, n=200)
        print(f"Demo-campagne {campaign.code}: {settings.public_url}/c/{campaign.code}")
        print(
            f"Resultaten: {settings.public_url}/beheer/{campaign.code} "
            f"(inloggen: {DEMO_EMAIL} / {DEMO_PASSWORD})"
        )
        workshop = make_demo_workshop(app.state.sessions)
        print(
            f"Demo-werksessie {workshop.code} (zes werkvormen): meedoen op "
            f"{settings.public_url}/sessie/{workshop.code}, leiden op "
            f"{settings.public_url}/sessie/{workshop.code}/leiden"
        )
    if settings.run_config:
        print(f"Scenario's (na inloggen): {settings.public_url}/scenarios")
    print(f"Open / open: {settings.public_url}/", flush=True)
    if args.workers <= 1:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
        return 0
    # Several processes: each builds its app from the environment, so the key that signs form
    # tokens and sessions (random per start unless configured) and the public address are
    # handed down; the database was migrated and the admin made above, once.
    app.state.engine.dispose()
    os.environ["GEZONDEWIJK_SECRET_KEY"] = settings.secret_key
    os.environ["GEZONDEWIJK_PUBLIC_URL"] = settings.public_url
    os.environ["GEZONDEWIJK_SHARED_LIMITS"] = "true"
    uvicorn.run(
        "gezondewijk.web.app:app_from_env",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
    )
    return 0


def _new_password(args: argparse.Namespace) -> int:
    """Set a new password for an account in the app's database (asked twice, or stdin)."""
    import getpass

    from gezondewijk.store.db import make_engine, migrate, session_factory, transaction
    from gezondewijk.store.repository import set_password
    from gezondewijk.web import WebSettings

    url = WebSettings.from_env().database_url
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Nieuw wachtwoord / new password: ")
        if getpass.getpass("Nog eens / again: ") != password:
            print("De wachtwoorden verschillen / passwords differ.", file=sys.stderr)
            return 2
    migrate(url)
    with transaction(session_factory(make_engine(url))) as session:
        found = set_password(session, args.email, password)
    if not found:
        print(f"Geen account {args.email} in deze database / no such account.", file=sys.stderr)
        return 2
    print(f"Wachtwoord van {args.email} veranderd / password changed.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gezondewijk`` command."""
    parser = argparse.ArgumentParser(prog="gezondewijk", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build the stacked health map from a configuration file")
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
    demo.add_argument("--out", type=Path, default=Path("uitvoer/demo"))
    demo.add_argument("--quiet", action="store_true")
    mon = sub.add_parser("monitor", help="change per buurt between two years, and inequality")
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
    scen = sub.add_parser(
        "scenario", help="what would measures change? scenarios on a run, with health effects"
    )
    scen.add_argument("scenarios", nargs="+", type=Path, help="scenario files (.toml)")
    scen.add_argument("--run", type=Path, help="run configuration (default: the scenario's 'run')")
    scen.add_argument("--out", type=Path, default=Path("uitvoer/scenarios"))
    scen.add_argument("--quiet", action="store_true")
    sul = sub.add_parser("sullivan", help="healthy life expectancy per area (Sullivan)")
    sul.add_argument("table", type=Path, help="CSV/xlsx: leeftijd, bevolking, sterfte, goed_pct")
    sul.add_argument("--out", type=Path, default=Path("uitvoer/sullivan.csv"))
    sul.add_argument(
        "--methode",
        choices=["phe", "sullivan-gids"],
        default="phe",
        help="phe: PHE's life table (a0 = 0.1, the 20 bands 0, 1-4, …, 90+ required); "
        "sullivan-gids: Jagger et al. 2014 (a = 0.5 in every band, any bands, e.g. to 85+)",
    )
    serve = sub.add_parser("serve", help="start the web app (Leefplekmeter)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo", action="store_true", help="add a demo campaign with generated answers"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (one per CPU core); with more than one, rate limits and log-in "
        "throttling are counted in the database so that all workers share them",
    )
    fetch = sub.add_parser(
        "fetch", help="download what a municipality's map needs and write its run file"
    )
    fetch.add_argument("gemeenten", nargs="*", help="gemeente codes, e.g. GM0503 (Delft)")
    fetch.add_argument(
        "--check",
        action="store_true",
        help="one small request per source (default gemeente GM0503): prints per source "
        "whether its keys and shapes are what gezondewijk expects; run this first online",
    )
    fetch.add_argument(
        "--year",
        "--jaar",
        dest="year",
        type=int,
        default=date.today().year - 1,
        help="data year (default: last year)",
    )
    fetch.add_argument(
        "--cache", type=Path, default=_default_cache(), help="cache folder (default %(default)s)"
    )
    fetch.add_argument(
        "--osm", help="OpenStreetMap extract (.osm.pbf path or URL, e.g. a Geofabrik province)"
    )
    fetch.add_argument(
        "--offline", action="store_true", help="use only the cache; name what is missing"
    )
    fetch.add_argument(
        "--refresh",
        "--vernieuw",
        dest="refresh",
        action="store_true",
        help="ask the sources again (conditional requests where they support them)",
    )
    fetch.add_argument("--run-file", "--runbestand", dest="run_file", type=Path)
    pw = sub.add_parser(
        "wachtwoord", help="give an organiser account a new password (GEZONDEWIJK_DATABASE_URL)"
    )
    pw.add_argument("email")
    pw.add_argument(
        "--stdin", action="store_true", help="read the new password from standard input"
    )
    sub.add_parser("presets", help="list the shipped presets")
    show = sub.add_parser("preset", help="print a shipped preset, to copy and edit")
    show.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            config = load_config(args.config)
            if args.preset:
                config = config.model_copy(update={"preset": args.preset})
            if args.formats:
                config = config.model_copy(update={"formats": list(parse_formats(args.formats))})
            if args.workers is not None and args.workers < 1:
                raise ConfigError("--workers: geef minstens 1 worker op.")
            return _run(config, args.out, args.quiet, args.scheduler, args.workers)
        if args.command == "demo":
            from gezondewijk.demo import make_synthetic_town, write_synthetic_inputs
            from gezondewijk.demo.scenarios import write_demo_scenarios

            town = make_synthetic_town()
            cfg_path = write_synthetic_inputs(town, args.out / "invoer")
            print(f"Synthetische invoer geschreven naar {cfg_path.parent}", file=sys.stderr)
            code = _run(load_config(cfg_path), args.out, args.quiet)
            if code:
                return code
            inputs = cfg_path.parent
            print("\nScenario's (synthetisch):", file=sys.stderr)
            files = write_demo_scenarios(town, inputs / "scenarios", cfg_path)
            code = _scenarios(files, cfg_path, args.out / "scenarios", args.quiet)
            print("\nMonitoring 2016 → 2020 (synthetisch):")
            return code or main(
                [
                    "monitor",
                    "--before",
                    str(inputs / "rivm_gezondheid_2016.csv"),
                    "--after",
                    str(inputs / "rivm_gezondheid.csv"),
                    "--buurten",
                    str(inputs / "buurten.geojson"),
                    "--out",
                    str(args.out),
                ]
            )
        if args.command == "scenario":
            return _scenarios(args.scenarios, args.run, args.out, args.quiet)
        if args.command == "serve":
            return _serve(args)
        if args.command == "fetch":
            return _fetch(args)
        if args.command == "monitor":
            return _monitor(args)
        if args.command == "sullivan":
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
        if args.command == "wachtwoord":
            return _new_password(args)
        if args.command == "presets":
            for name in available_presets():
                print(name)
            return 0
        if args.command == "preset":
            if args.name not in available_presets():
                raise PresetError(
                    f"unknown preset '{args.name}'; choose one of {', '.join(available_presets())}."
                )
            res = resources.files("gezondewijk.scoring") / "presets" / f"{args.name}.toml"
            print(res.read_text(encoding="utf-8"), end="")
            return 0
    except GezondewijkError as exc:
        print(f"fout / error: {exc}", file=sys.stderr)
        return 2
    return 1  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
