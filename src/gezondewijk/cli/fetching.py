"""``gezondewijk fetch``: download what a municipality's map needs."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from gezondewijk._errors import ConfigError

if TYPE_CHECKING:
    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


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


def add_fetch(sub: _Subparsers) -> None:
    """The ``fetch`` subcommand."""
    fetch = sub.add_parser(
        "fetch", help="download what a municipality's map needs and write its run file"
    )
    fetch.set_defaults(handler=_fetch)
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
