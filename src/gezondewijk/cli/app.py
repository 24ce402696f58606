"""``gezondewijk serve`` and ``wachtwoord``: the web app and its accounts."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING

from gezondewijk._errors import ConfigError

if TYPE_CHECKING:
    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gezondewijk.web import WebSettings, create_app

    # the app's own messages (gezondewijk.*: live updates, scenarios) go to standard error
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("gezondewijk").setLevel(logging.INFO)  # not the libraries' chatter
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


def add_app(sub: _Subparsers) -> None:
    """The ``serve`` and ``wachtwoord`` subcommands."""
    serve = sub.add_parser("serve", help="start the web app (Leefplekmeter)")
    serve.set_defaults(handler=_serve)
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
    pw = sub.add_parser(
        "wachtwoord", help="give an organiser account a new password (GEZONDEWIJK_DATABASE_URL)"
    )
    pw.set_defaults(handler=_new_password)
    pw.add_argument("email")
    pw.add_argument(
        "--stdin", action="store_true", help="read the new password from standard input"
    )
