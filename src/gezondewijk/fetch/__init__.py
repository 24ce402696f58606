"""Online connectors: everything a municipality's map needs, from one command.

:func:`fetch_gemeenten` downloads the CBS wijk- en buurtkaart (PDOK), the Kerncijfers wijken en
buurten, Nabijheid voorzieningen and SES-WOA (CBS StatLine), RIVM's Gezondheid per wijk en
buurt (StatLine for third parties), RIVM's GCN air-quality grids and the Atlas Leefomgeving
noise map into a cache, optionally clips an OpenStreetMap extract, and writes a run file. Every
file gets a provenance record; a second run uses the cache; ``offline`` uses nothing else.
"""

from gezondewijk.fetch.check import CheckResult, check_sources
from gezondewijk.fetch.endpoints import Endpoints
from gezondewijk.fetch.http import Downloader, Fetched
from gezondewijk.fetch.municipality import FetchResult, fetch_gemeenten

__all__ = [
    "CheckResult",
    "Downloader",
    "Endpoints",
    "FetchResult",
    "Fetched",
    "check_sources",
    "fetch_gemeenten",
]
