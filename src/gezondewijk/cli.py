"""Command line: ``gezondewijk run``, ``demo``, ``presets`` and ``preset``.

The CLI only parses arguments and prints; the work is done by the library
(:func:`gezondewijk.pipeline.build_map` and :mod:`gezondewijk.outputs`).
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from gezondewijk._errors import GezondewijkError
from gezondewijk.outputs import write_all
from gezondewijk.pipeline import MapResult, build_map
from gezondewijk.scoring import available_presets
from gezondewijk.settings import RunConfig, load_config


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


def _run(config: RunConfig, out: Path | None, quiet: bool) -> int:
    result = build_map(config, stream=None if quiet else sys.stderr)
    folder = out or config.output_dir
    written = write_all(result, folder, html=config.html_map, max_map_cells=config.max_map_cells)
    _print_summary(result, written)
    if "html" in written:
        print(f"\nOpen de kaart / open the map: {written['html'][0].resolve().as_uri()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gezondewijk`` command."""
    parser = argparse.ArgumentParser(prog="gezondewijk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build the stacked health map from a configuration file")
    run.add_argument("config", type=Path, help="run configuration (.toml), see examples/")
    run.add_argument("--out", type=Path, help="output folder (overrides output_dir)")
    run.add_argument("--preset", help="preset name or .toml path (overrides the config)")
    run.add_argument("--quiet", action="store_true", help="no progress output")
    demo = sub.add_parser("demo", help="generate the synthetic town and build its map")
    demo.add_argument("--out", type=Path, default=Path("uitvoer/demo"))
    demo.add_argument("--quiet", action="store_true")
    sub.add_parser("presets", help="list the shipped presets")
    show = sub.add_parser("preset", help="print a shipped preset, to copy and edit")
    show.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            config = load_config(args.config)
            if args.preset:
                config = config.model_copy(update={"preset": args.preset})
            return _run(config, args.out, args.quiet)
        if args.command == "demo":
            from gezondewijk.demo import make_synthetic_town, write_synthetic_inputs

            cfg_path = write_synthetic_inputs(make_synthetic_town(), args.out / "invoer")
            print(f"Synthetische invoer geschreven naar {cfg_path.parent}", file=sys.stderr)
            return _run(load_config(cfg_path), args.out, args.quiet)
        if args.command == "presets":
            for name in available_presets():
                print(name)
            return 0
        if args.command == "preset":
            if args.name not in available_presets():
                raise GezondewijkError(
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
