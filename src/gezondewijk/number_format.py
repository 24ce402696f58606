"""Numbers as Dutch readers write them, for pages, PDFs and charts alike.

One rule: decimal comma, a point between thousands (``11.420,0``), ``–`` for a missing value.
The web app's template filters and the charts' axis ticks both use :func:`dutch_number`.
"""

from __future__ import annotations

import math
from typing import Any


def dutch_number(value: Any, decimals: int | None = 1) -> str:
    """A number as Dutch readers write it: ``11420.0`` → ``11.420,0``; missing → ``–``.

    ``decimals=None`` writes as few decimals as the value needs (``0.85`` → ``0,85``,
    ``3.0`` → ``3``), as an axis tick should.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    spec = ",g" if decimals is None else f",.{decimals}f"
    text = format(float(value), spec)
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")
