"""The one rule for CBS area codes (gemeente, wijk, buurt), for sources and the web app.

CBS codes are a prefix and a fixed number of characters: ``GM`` + 4 digits, ``WK`` + the gemeente's
4 digits + 2, ``BU`` + the gemeente's 4 digits + 4 (digits, and for a few new buurten letters).
Source: CBS, *Toelichting Wijk- en Buurtkaart* (codering gemeente, wijk en buurt).
"""

from __future__ import annotations

import re

AREA_CODE = re.compile(r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
BUURT_CODE = re.compile(r"^BU\d{4}[0-9A-Z]{4}$")
GEMEENTE_CODE = re.compile(r"^GM\d{4}$")


def is_buurt_code(code: str) -> bool:
    """Whether ``code`` is a CBS buurt code such as ``BU07720000``."""
    return BUURT_CODE.fullmatch(code) is not None


def is_gemeente_code(code: str) -> bool:
    """Whether ``code`` is a CBS gemeente code such as ``GM0503`` (Delft)."""
    return GEMEENTE_CODE.fullmatch(code) is not None
