"""Where the online sources live, with their licences and attribution texts.

Every address can be changed with an environment variable ``GEZONDEWIJK_URL_<NAME>`` (a
mirror, a proxy, or the test server the tests start on 127.0.0.1).
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict


class Endpoints(BaseModel):
    """Base addresses of the publishers' services.

    Attributes
    ----------
    pdok
        PDOK OGC API Features of the CBS wijk- en buurtkaart; ``{year}`` is filled in (PDOK
        serves 2023 and later years each as a service of its own).
    pdok_historisch
        PDOK OGC API Features of the older wijk- en buurtkaarten (one collection per year).
    cbs
        CBS StatLine open data (OData v3): ``/ODataCatalog`` and ``/ODataFeed``.
    cbs_derden
        CBS StatLine for third parties (RIVM's Gezondheid per wijk en buurt).
    rivm_gcn
        Folder of RIVM's GCN concentration grids (``conc_NO2_2024.zip``…).
    rivm_alo_wcs
        RIVM Atlas Leefomgeving WCS (noise maps).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pdok: str = "https://api.pdok.nl/cbs/wijken-en-buurten-{year}/ogc/v1"
    pdok_historisch: str = "https://api.pdok.nl/cbs/wijken-en-buurten-historisch/ogc/v1"
    cbs: str = "https://opendata.cbs.nl"
    cbs_derden: str = "https://dataderden.cbs.nl"
    rivm_gcn: str = "https://data.rivm.nl/data/gcn"
    rivm_alo_wcs: str = "https://data.rivm.nl/geo/alo/wcs"

    @classmethod
    def from_env(cls) -> Endpoints:
        """The defaults, each overridden by ``GEZONDEWIJK_URL_<NAME>`` where set."""
        values = {}
        for name in cls.model_fields:
            value = os.environ.get(f"GEZONDEWIJK_URL_{name.upper()}")
            if value:
                values[name] = value.rstrip("/")
        return cls(**values)


#: Licence and attribution per publisher, as they state them.
LICENCES: dict[str, tuple[str, str]] = {
    "pdok": ("CC BY 4.0 (CBS, Kadaster)", "Bron: CBS, Kadaster (PDOK)"),
    "cbs": ("CC BY 4.0", "Bron: CBS"),
    "rivm_gezondheid": (
        "CC BY 4.0 (RIVM, GGD'en, CBS)",
        "Bron: RIVM/CBS/GGD'en, Gezondheidsmonitor Volwassenen en Ouderen",
    ),
    "rivm": ("open data, hergebruik met bronvermelding", "Bron: RIVM"),
    "osm": ("ODbL 1.0", "© OpenStreetMap-bijdragers (ODbL)"),
}
