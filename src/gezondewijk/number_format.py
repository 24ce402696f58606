"""Numbers as Dutch readers write them, for pages, PDFs and charts alike.

One rule: decimal comma, a point between thousands (``11.420,0``), ``–`` for a missing value.
The web app's template filters and the charts' axis ticks both use :func:`dutch_number`.
"""

from __future__ import annotations

import math
from datetime import date
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


#: How precisely a value in each unit is shown: ``(round to a multiple of, decimals)``. A
#: distance from an OSM network is good to about 10 m, a count of inhabitants to one.
UNIT_PRECISION: dict[str, tuple[float, int]] = {
    "m": (10.0, 0),
    "km": (0.1, 1),
    "inw/km²": (1.0, 0),
    "inwoners": (1.0, 0),
    "dB": (1.0, 0),
    "°C": (0.1, 1),
    "%": (0.1, 1),
    "score": (0.01, 2),
    "adressen": (1.0, 0),
    "adressen/km²": (1.0, 0),
}


def for_unit(value: Any, unit: str) -> str:
    """``value`` in Dutch, rounded to what a value in ``unit`` can carry.

    :data:`UNIT_PRECISION`, one decimal for other units: 886.81 m → ``890``, 3684.0 inw/km²
    → ``3.684``.
    """
    step, decimals = UNIT_PRECISION.get(unit, (0.1, 1))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return dutch_number(round(float(value) / step) * step, decimals)


def dutch_date(value: date | None, missing: str = "–") -> str:
    """A date as the Dutch write it: ``2026-03-01`` → ``1-3-2026``; ``None`` → ``missing``."""
    return missing if value is None else f"{value.day}-{value.month}-{value.year}"


def dutch_date_text(value: object, missing: str = "–") -> str:
    """An ISO date in text (``"2026-12-01"``) as :func:`dutch_date`; empty → ``missing``.

    Text that is no date comes back as it is.
    """
    if not value:
        return missing
    try:
        return dutch_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)
