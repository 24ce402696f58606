"""``python -m gezondewijk.cli``."""

from gezondewijk.cli import main

raise SystemExit(main())
