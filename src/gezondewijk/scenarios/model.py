"""What a scenario is: a named set of changes on a run, and the health settings it uses.

Each change has a kind (:data:`KINDS`), a geometry in RD New and, where the kind needs one,
an amount: decibels or µg/m³ less, or the inhabitants of new homes. Files are read and written
by :mod:`gezondewijk.scenarios.files`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import shapely

#: Kinds of change → (Dutch label, the run variable it changes, geometry types, unit).
KINDS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "groen_erbij": ("nieuw groen", "distance_green_m", ("Polygon", "MultiPolygon"), ""),
    "groen_eraf": ("groen weg", "distance_green_m", ("Polygon", "MultiPolygon"), ""),
    "huisarts": ("nieuwe huisarts", "distance_gp_m", ("Point",), ""),
    "supermarkt": ("nieuwe supermarkt", "distance_supermarket_m", ("Point",), ""),
    "basisschool": ("nieuwe basisschool", "distance_school_m", ("Point",), ""),
    "geluid": (
        "minder verkeersgeluid",
        "noise_lden",
        ("Polygon", "MultiPolygon", "LineString", "MultiLineString"),
        "dB",
    ),
    "no2": (
        "minder NO2",
        "no2",
        ("Polygon", "MultiPolygon", "LineString", "MultiLineString"),
        "µg/m³",
    ),
    "pm25": (
        "minder PM2,5",
        "pm25",
        ("Polygon", "MultiPolygon", "LineString", "MultiLineString"),
        "µg/m³",
    ),
    "woningen": ("nieuwe woningen", "population", ("Polygon", "MultiPolygon", "Point"), "inwoners"),
    "speelplek": (
        "nieuwe speelplek",
        "distance_playground_m",
        ("Point", "Polygon", "MultiPolygon"),
        "",
    ),
    "bomen": ("bomen erbij (kroonoppervlak)", "canopy_pct", ("Polygon", "MultiPolygon"), ""),
    "zitplekken": (
        "zitplekken erbij",
        "benches_per_km",
        ("Point", "LineString", "MultiLineString"),
        "zitplekken",
    ),
    "snackbar_dicht": ("fastfood of snackbar dicht", "food_unhealthy_400m", ("Point",), ""),
    "groenteboer": ("nieuwe groenteboer of markt", "food_all_400m", ("Point",), ""),
}
#: Kinds that move a destination layer (distances) and kinds that lower an exposure.
DESTINATION_KINDS = (
    "groen_erbij",
    "groen_eraf",
    "huisarts",
    "supermarkt",
    "basisschool",
    "speelplek",
)
EXPOSURE_KINDS = ("geluid", "no2", "pm25")
#: Kinds that change a buurt's count (canopy, seats) or the food outlets within reach.
LOCAL_KINDS = ("bomen", "zitplekken", "snackbar_dicht", "groenteboer")
#: Largest plausible amount per kind (a typo guard, not a physical limit).
MAX_AMOUNT = {
    "geluid": 30.0,
    "no2": 60.0,
    "pm25": 30.0,
    "woningen": 50_000.0,
    "zitplekken": 1_000.0,
}
#: Width of a street's zone when a line has none (m): the street and the first row of homes.
DEFAULT_WIDTH_M = 50.0


@dataclass(frozen=True)
class Change:
    """One change of a scenario.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    geometry
        RD New.
    amount
        dB or µg/m³ less (exposure kinds), new inhabitants (``woningen``) or seats
        (``zitplekken``; 0 means one per point, one per 125 m along a line); 0 otherwise.
    width_m
        For a street (a line): the width of the zone the exposure drops in.
    name
        The user's own name for it.
    measure
        The key of the catalogue measure it came from, if any.
    """

    kind: str
    geometry: shapely.Geometry
    amount: float = 0.0
    width_m: float = DEFAULT_WIDTH_M
    name: str = ""
    measure: str = ""

    @property
    def label(self) -> str:
        """The change in Dutch: kind, name and amount."""
        text, _, _, unit = KINDS[self.kind]
        if self.name:
            text = f"{text}: {self.name}"
        if unit:
            amount = f"{self.amount:g}".replace(".", ",")
            text += f" ({'+' if self.kind in ('woningen', 'zitplekken') else '−'}{amount} {unit})"
        return text

    def zone(self) -> shapely.Geometry:
        """Where an exposure change applies: the area, or the street with its width."""
        if shapely.get_type_id(self.geometry) in (1, 5):  # LineString, MultiLineString
            return shapely.buffer(self.geometry, self.width_m / 2, cap_style="flat")
        return self.geometry


@dataclass(frozen=True)
class HealthSettings:
    """How the health effect is estimated (the scenario's ``[gezondheid]`` table)."""

    #: Life table (CSV/xlsx: leeftijd, bevolking, sterfte; optionally goed_pct or ongezond).
    life_table: Path | None = None
    #: NDVI increase assumed for an inhabitant who gets green of 0.5 ha within 300 m.
    ndvi_per_green_access: float = 0.1
    #: Lden minus Lnight (dB) where the run has no night noise map.
    lden_minus_lnight_db: float = 8.0
    #: Healthy life years per inhabitant aimed for (Eindhoven: 3), or None.
    target_healthy_years: float | None = None
    #: Relative reduction of inequality aimed for (Eindhoven: 0.2), or None.
    target_inequality_reduction: float | None = None


@dataclass(frozen=True)
class Scenario:
    """A named set of changes on a run."""

    name: str
    title: str
    changes: list[Change] = field(default_factory=list)
    description: str = ""
    #: Buurt variables whose SII/RII change is reported (besides the stacked score).
    inequality: list[str] = field(default_factory=list)
    health: HealthSettings = field(default_factory=HealthSettings)
    #: The run configuration the scenario belongs to, where the file names one.
    run: Path | None = None
