"""Publisher column names and the vocabulary keys they stand for.

CBS and RIVM name the same quantity differently per product and per year:

- KWB xlsx short names (``a_inw``, ``bev_dich``, ``g_afs_hp``);
- the PDOK wijk- en buurtkaart in snake case (``aantal_inwoners``,
  ``huisartsenpraktijk_gemiddelde_afstand_in_km``: the OGC API, 2024 and 2025 included) and
  in camel case (``aantalInwoners``, ``huisartsenpraktijkGemiddeldeAfstandInKm``: the WFS and
  GeoPackages made from it);
- StatLine OData keys with a position suffix that changes per table and year
  (``AantalInwoners_5`` in one table, ``AantalInwoners_6`` in the next; ``Eenzaam_28`` in
  RIVM 50090NED, ``Eenzaam_27`` in 50120NED, ``Eenzaam_25`` in 50150NED), and names that
  change between RIVM's editions (``ErvarenGezondheidGoedZeerGoed`` → ``GoedErvarenGezondheid``);
- StatLine CSV exports with the topic path as header
  (``Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk (km)``).

:func:`canonical_name` maps all of them onto one key of :mod:`gezondewijk.variables`.
"""

from __future__ import annotations

import re

# StatLine CSV headers (lower case) that mean one of the vocabulary keys, matched exactly or as
# the last one or two parts of a path header. Single names (short, snake, camel, OData keys)
# are matched in COMPACT below.
ALIASES: dict[str, str] = {
    "afstand tot huisartsenpraktijk (km)": "distance_gp_km",
    "afstand tot grote supermarkt (km)": "distance_supermarket_km",
    "onderwijs/basisonderwijs/afstand tot school (km)": "distance_school_km",
    "basisonderwijs/afstand tot school (km)": "distance_school_km",
    "afstand tot openbaar groen totaal (km)": "distance_green_km",
    "afstand tot park of plantsoen (km)": "distance_park_km",
    "ses-woa/totaalscore/gemiddelde score (getal)": "ses_woa",
    # SES-WOA's total score under its group, wherever the table nests it (85163NED, 85900NED,
    # 86092NED: sub-scores are "Gemiddelde score" too, under another group)
    "totaalscore/gemiddelde score (getal)": "ses_woa",
    "totaalscore/gemiddelde score": "ses_woa",
}

# Single names with everything but letters and digits removed, and with a StatLine position
# suffix (``_28``) dropped: one entry covers snake case, camel case and every OData key year.
# A key that means different things in one table (``AfstandTotSchool_60`` basisonderwijs and
# ``AfstandTotSchool_64`` voortgezet onderwijs in Nabijheid voorzieningen) is not listed; the
# OData reader resolves it from the table's topic groups instead.
COMPACT: dict[str, str] = {
    # Kerncijfers wijken en buurten: xlsx short names, PDOK snake/camel case, OData keys
    "ainw": "population",
    "aantinw": "population",
    "aantalinwoners": "population",
    "bevdich": "population_density",
    "bevdichth": "population_density",
    "bevolkingsdichtheid": "population_density",
    "bevolkingsdichtheidinwonersperkm2": "population_density",
    "steoad": "address_density",
    "omgevingsadressendichtheid": "address_density",
    "gafshp": "distance_gp_km",
    "huisartsenpraktijkgemiddeldeafstandinkm": "distance_gp_km",
    "afstandtothuisartsenpraktijk": "distance_gp_km",
    "gafsgs": "distance_supermarket_km",
    "grotesupermarktgemiddeldeafstandinkm": "distance_supermarket_km",
    "afstandtotgrotesupermarkt": "distance_supermarket_km",
    "gafssc": "distance_school_km",
    "basisonderwijsgemiddeldeafstandinkm": "distance_school_km",
    "afstandtotopenbaargroentotaal": "distance_green_km",
    "afstandtotparkofplantsoen": "distance_park_km",
    # RIVM Gezondheid per wijk en buurt. 50090NED (2016/2020) and 50120NED (2012-2022,
    # indeling 2022) name them one way, 50150NED (2012-2024, indeling 2024) another
    # (GoedErvarenGezondheid_4, HeelVeelStressAfg4Weken_17, HoogRisicoAngststoornisOfDepressie_14):
    # see tests/publishers.py for where each key was read. "Matig/hoog risico" is only in
    # 50090NED; the newer tables publish "hoog risico", a narrower group: another variable.
    "ervarengezondheidgoedzeergoed": "good_health_pct",
    "goedervarengezondheid": "good_health_pct",
    "eenzaam": "lonely_pct",
    "heelveelstressinafgelopen4weken": "stress_pct",
    "heelveelstressafg4weken": "stress_pct",
    "matighoogrisicoopangstofdepressie": "anxiety_depression_pct",
    "hoogrisicoopangstofdepressie": "anxiety_depression_high_pct",
    "hoogrisicoangststoornisofdepressie": "anxiety_depression_high_pct",
    "moeitemetrondkomen": "hard_to_make_ends_meet_pct",
    "seswoa": "ses_woa",
}

_POSITION_SUFFIX = re.compile(r"_\d+$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def compact_name(column: str) -> str:
    """Lower case, letters and digits only, without a position suffix.

    ``"AantalInwoners_5"``, ``"aantal_inwoners"`` and ``"aantalInwoners"`` all give
    ``"aantalinwoners"``.
    """
    return _NOT_ALNUM.sub("", _POSITION_SUFFIX.sub("", column.strip()).lower())


def canonical_name(column: str) -> str | None:
    """Return the variable key a publisher column stands for, or ``None``.

    StatLine CSV headers are paths such as ``"Gezondheid en welzijn/Huisartsenpraktijk/Afstand
    tot huisartsenpraktijk (km)"``; the full path is tried first, then its last one and two
    parts. Other names are compared in their compact form (see :func:`compact_name`), which
    covers the PDOK snake and camel case and the StatLine OData keys of every year.
    """
    name = column.strip().lower()
    if name in ALIASES:
        return ALIASES[name]
    parts = name.split("/")
    for tail in ("/".join(parts[-2:]), parts[-1]):
        if tail in ALIASES:
            return ALIASES[tail]
    if len(parts) > 1:
        return None
    return COMPACT.get(compact_name(column))
