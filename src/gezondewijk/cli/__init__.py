"""Command line: ``gezondewijk fetch``, ``run``, ``demo``, ``monitor``, ``sullivan``, ``serve``.

The CLI only parses arguments and prints; the work is done by the library
(:func:`gezondewijk.run.build_map`, :func:`gezondewijk.run.monitor_change` and
:mod:`gezondewijk.outputs`).
"""

from __future__ import annotations

import argparse
import sys

from gezondewijk._errors import GezondewijkError
from gezondewijk.cli.app import add_app
from gezondewijk.cli.fetching import add_fetch
from gezondewijk.cli.maps import add_methods, add_monitor, add_run

#: What ``gezondewijk --help`` says (plain text: the module docstring is for developers).
DESCRIPTION = (
    "gezondewijk: stacked health maps of buurten and 100 m cells, the Leefplekmeter web app "
    "and monitoring. Start with 'gezondewijk demo', or 'gezondewijk fetch GM0503' and then "
    "'gezondewijk run <run file>'."
)


def parser() -> argparse.ArgumentParser:
    """The ``gezondewijk`` command's parser: one subcommand per task, each with its handler."""
    main_parser = argparse.ArgumentParser(prog="gezondewijk", description=DESCRIPTION)
    sub = main_parser.add_subparsers(dest="command", required=True)
    for add in (add_run, add_monitor, add_methods, add_app, add_fetch):
        add(sub)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gezondewijk`` command."""
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except GezondewijkError as exc:
        print(f"fout / error: {exc}", file=sys.stderr)
        return 2
    return code
