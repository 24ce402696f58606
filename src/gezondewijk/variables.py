"""The shared vocabulary: every variable gezondewijk knows, with its metadata.

A *variable* is one measured quantity (population, NO2, distance to a GP...). Source readers
rename publisher columns to these keys; indicators and scores carry the metadata (unit,
direction, source, year, licence) into every output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

from gezondewijk.publisher_names import ALIASES, canonical_name

Direction = Literal["higher_is_worse", "higher_is_better"]
Kind = Literal["extensive", "intensive"]

CBS_LICENCE = "CC BY 4.0 (CBS open data)"
RIVM_LICENCE = "CC BY 4.0 (RIVM/CBS StatLine)"
OSM_LICENCE = "ODbL (© OpenStreetMap-bijdragers)"


@dataclass(frozen=True)
class Variable:
    """Metadata of one variable.

    Parameters
    ----------
    key
        Stable identifier, used as column name.
    label
        Dutch label for the user interface.
    label_en
        English label.
    unit
        Unit of measurement (``"%"``, ``"µg/m³"``, ``"km"``, ``"m"``...).
    direction
        ``"higher_is_worse"`` or ``"higher_is_better"`` for health.
    kind
        ``"extensive"`` for counts that add up over areas (inhabitants), ``"intensive"`` for
        rates, shares, means and densities (they do not add up).
    source
        Publisher and table, e.g. ``"RIVM 50090NED"``.
    year
        Reference year of the data, where known.
    licence
        Licence of the data.
    """

    key: str
    label: str
    label_en: str
    unit: str
    direction: Direction
    kind: Kind
    source: str
    year: int | None = None
    licence: str = ""

    def with_year(self, year: int | None) -> Variable:
        """Return a copy with the reference year set."""
        return replace(self, year=year)

    def as_dict(self) -> dict[str, object]:
        """Return the metadata as a plain dictionary (for exports)."""
        return asdict(self)


def _v(
    key: str,
    label: str,
    label_en: str,
    unit: str,
    direction: Direction,
    kind: Kind,
    source: str,
    licence: str,
) -> Variable:
    return Variable(key, label, label_en, unit, direction, kind, source, None, licence)


_KWB = "CBS Kerncijfers wijken en buurten"
_NAB = "CBS Nabijheid voorzieningen"
_RIVM = "RIVM 50090NED Gezondheid per wijk en buurt"

KNOWN: dict[str, Variable] = {
    v.key: v
    for v in [
        _v(
            "population",
            "Inwoners",
            "Inhabitants",
            "inwoners",
            "higher_is_worse",
            "extensive",
            _KWB,
            CBS_LICENCE,
        ),
        _v(
            "population_density",
            "Inwoners per km²",
            "Inhabitants per km²",
            "inw/km²",
            "higher_is_worse",
            "intensive",
            _KWB,
            CBS_LICENCE,
        ),
        _v(
            "address_density",
            "Omgevingsadressendichtheid",
            "Address density",
            "adressen/km²",
            "higher_is_worse",
            "intensive",
            _KWB,
            CBS_LICENCE,
        ),
        _v(
            "distance_gp_km",
            "Afstand tot huisartsenpraktijk (over de weg)",
            "Distance to GP practice (by road)",
            "km",
            "higher_is_worse",
            "intensive",
            _NAB,
            CBS_LICENCE,
        ),
        _v(
            "distance_supermarket_km",
            "Afstand tot grote supermarkt (over de weg)",
            "Distance to large supermarket (by road)",
            "km",
            "higher_is_worse",
            "intensive",
            _NAB,
            CBS_LICENCE,
        ),
        _v(
            "distance_school_km",
            "Afstand tot basisschool (over de weg)",
            "Distance to primary school (by road)",
            "km",
            "higher_is_worse",
            "intensive",
            _NAB,
            CBS_LICENCE,
        ),
        _v(
            "distance_green_km",
            "Afstand tot openbaar groen (over de weg)",
            "Distance to public green (by road)",
            "km",
            "higher_is_worse",
            "intensive",
            _NAB,
            CBS_LICENCE,
        ),
        _v(
            "distance_park_km",
            "Afstand tot park of plantsoen (over de weg)",
            "Distance to park (by road)",
            "km",
            "higher_is_worse",
            "intensive",
            _NAB,
            CBS_LICENCE,
        ),
        _v(
            "good_health_pct",
            "Ervaren gezondheid goed/zeer goed",
            "Good perceived health",
            "%",
            "higher_is_better",
            "intensive",
            _RIVM,
            RIVM_LICENCE,
        ),
        _v(
            "lonely_pct",
            "Eenzaam",
            "Lonely",
            "%",
            "higher_is_worse",
            "intensive",
            _RIVM,
            RIVM_LICENCE,
        ),
        _v(
            "stress_pct",
            "Heel veel stress (4 weken)",
            "Very much stress (4 weeks)",
            "%",
            "higher_is_worse",
            "intensive",
            _RIVM,
            RIVM_LICENCE,
        ),
        _v(
            "anxiety_depression_pct",
            "Matig/hoog risico op angst of depressie",
            "Moderate/high risk of anxiety or depression",
            "%",
            "higher_is_worse",
            "intensive",
            _RIVM,
            RIVM_LICENCE,
        ),
        _v(
            "hard_to_make_ends_meet_pct",
            "Moeite met rondkomen",
            "Difficulty making ends meet",
            "%",
            "higher_is_worse",
            "intensive",
            _RIVM,
            RIVM_LICENCE,
        ),
        _v(
            "ses_woa",
            "SES-WOA totaalscore",
            "SES-WOA total score",
            "score",
            "higher_is_better",
            "intensive",
            "CBS 85163NED SES-WOA",
            CBS_LICENCE,
        ),
        _v(
            "no2",
            "NO2 jaargemiddelde",
            "NO2 annual mean",
            "µg/m³",
            "higher_is_worse",
            "intensive",
            "RIVM GCN",
            "RIVM open data",
        ),
        _v(
            "pm25",
            "PM2.5 jaargemiddelde",
            "PM2.5 annual mean",
            "µg/m³",
            "higher_is_worse",
            "intensive",
            "RIVM GCN",
            "RIVM open data",
        ),
        _v(
            "noise_lden",
            "Geluid Lden",
            "Noise Lden",
            "dB",
            "higher_is_worse",
            "intensive",
            "RIVM Atlas Leefomgeving",
            "RIVM open data",
        ),
        _v(
            "distance_green_m",
            "Afstand tot groen (hemelsbreed)",
            "Distance to green (straight)",
            "m",
            "higher_is_worse",
            "intensive",
            "berekend uit groenlaag",
            "",
        ),
        _v(
            "distance_gp_m",
            "Afstand tot huisarts (hemelsbreed)",
            "Distance to GP (straight)",
            "m",
            "higher_is_worse",
            "intensive",
            "berekend uit voorzieningenlaag",
            "",
        ),
        _v(
            "distance_supermarket_m",
            "Afstand tot supermarkt (hemelsbreed)",
            "Distance to supermarket (straight)",
            "m",
            "higher_is_worse",
            "intensive",
            "berekend uit voorzieningenlaag",
            "",
        ),
        _v(
            "distance_school_m",
            "Afstand tot basisschool (hemelsbreed)",
            "Distance to primary school (straight)",
            "m",
            "higher_is_worse",
            "intensive",
            "berekend uit voorzieningenlaag",
            "",
        ),
        _v(
            "basic_services_m",
            "Afstand tot basisvoorzieningen (hemelsbreed, gemiddeld)",
            "Distance to basic services (straight, mean)",
            "m",
            "higher_is_worse",
            "intensive",
            "berekend: gemiddelde van huisarts, supermarkt, basisschool",
            "",
        ),
        _v(
            "basic_services_km",
            "Afstand tot basisvoorzieningen (over de weg, gemiddeld)",
            "Distance to basic services (by road, mean)",
            "km",
            "higher_is_worse",
            "intensive",
            "CBS: gemiddelde van huisarts, grote supermarkt, basisschool",
            CBS_LICENCE,
        ),
        _v(
            "addresses",
            "Adressen",
            "Addresses",
            "adressen",
            "higher_is_worse",
            "extensive",
            "adreslaag",
            "",
        ),
    ]
}

__all__ = ["ALIASES", "KNOWN", "Variable", "canonical_name", "describe", "walk_key"]


def walk_key(straight_key: str) -> str:
    """Key of the walking-network twin of a straight-line distance variable.

    ``distance_green_m`` → ``distance_green_walk_m``; any other key gets ``_walk`` appended.
    """
    if straight_key.endswith("_m"):
        return straight_key[:-2] + "_walk_m"
    return straight_key + "_walk"


def _walk_twin(base: Variable) -> Variable:
    """The walking-network twin of a straight-line distance variable."""
    return replace(
        base,
        key=walk_key(base.key),
        label=base.label.replace("(hemelsbreed", "(over het looppadennetwerk"),
        label_en=base.label_en.replace("(straight", "(along the walking network"),
        source=f"{base.source}; over de looppaden (OpenStreetMap)",
        licence=OSM_LICENCE,
    )


KNOWN.update(
    {
        walk_key(k): _walk_twin(KNOWN[k])
        for k in (
            "distance_green_m",
            "distance_gp_m",
            "distance_supermarket_m",
            "distance_school_m",
            "basic_services_m",
        )
    }
)


def describe(key: str) -> Variable:
    """Return the metadata of a variable, or a generic record for an unknown column."""
    if key in KNOWN:
        return KNOWN[key]
    return Variable(key, key, key, "", "higher_is_worse", "intensive", "invoer", None, "")
