"""Two example scenarios on the synthetic town, and a synthetic life table for their effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from gezondewijk.demo.synthetic import SyntheticTown
from gezondewijk.scenarios import Change, HealthSettings, Scenario, write_scenario

#: Start ages of the life table's groups (CBS's five-year groups, 95+ open).
AGES = np.array([0, 1, *range(5, 100, 5)], dtype="float64")


def synthetic_life_table(population: float) -> pd.DataFrame:
    r"""A life table for the synthetic town: Gompertz mortality, a Dutch-like age pyramid.

    Notes
    -----
    :math:`m(x) = 1.5\cdot10^{-5} e^{0.1 x}` from age 1 (Gompertz 1825), 0.0035 in the first
    year; population spread over the groups with fewer people past 65. Synthetic: life
    expectancy at birth comes out near 82 years and about 11 deaths per 1,000 a year, close to
    the Netherlands, but no figure is real.
    """
    width = np.append(np.diff(AGES), 10.0)
    shape = np.where(AGES < 65, 1.0, np.exp(-(AGES - 65) / 12.0)) * width
    people = np.round(population * shape / shape.sum())
    mid = AGES + width / 2
    rate = np.where(AGES == 0, 0.0035, 1.5e-5 * np.exp(0.1 * mid))
    deaths = np.round(people * rate, 1)
    good = np.clip(85 - 0.45 * np.maximum(AGES - 20, 0), 35, 90)
    return pd.DataFrame(
        {"leeftijd": AGES.astype(int), "bevolking": people, "sterfte": deaths, "goed_pct": good}
    )


def write_demo_scenarios(town: SyntheticTown, folder: Path, run_config: Path) -> list[Path]:
    """Write the life table and two scenarios: a park with a GP, and a low-traffic street.

    The park lies in the buurt with the lowest SES-WOA (where "ongelijk investeren" says to
    start); the street crosses the town centre.
    """
    folder.mkdir(parents=True, exist_ok=True)
    population = float(town.buurten["aantal_inwoners"].sum())
    table = folder / "levenstafel.csv"
    synthetic_life_table(population).to_csv(table, index=False)
    health = HealthSettings(
        life_table=table.resolve(), target_healthy_years=3.0, target_inequality_reduction=0.2
    )
    ses = town.ses.set_index("code")["ses"]
    poorest = town.buurten.set_index("buurtcode").loc[ses.idxmin(), "geometry"]
    centre = shapely.point_on_surface(poorest)
    park = shapely.intersection(shapely.buffer(centre, 90.0, quad_segs=8), poorest)
    gp = shapely.Point(centre.x + 250, centre.y)
    middle = shapely.centroid(shapely.union_all(town.buurten.geometry.to_numpy()))
    street = shapely.LineString([(middle.x - 1200, middle.y), (middle.x + 1200, middle.y)])
    scenarios = [
        Scenario(
            name="park-en-huisarts",
            title="Buurtpark en huisarts in de meest kwetsbare buurt",
            description="Een park van ruim 2 ha en een huisartsenpraktijk in de buurt met de "
            "laagste sociaaleconomische status.",
            changes=[
                Change("groen_erbij", park, name="buurtpark", measure="boss"),
                Change("huisarts", gp, name="gezondheidscentrum", measure="voorzieningen_dichtbij"),
            ],
            inequality=["distance_green_walk_m"],
            health=health,
            run=run_config.resolve(),
        ),
        Scenario(
            name="autoluw-centrum",
            title="Autoluwe hoofdstraat door het centrum",
            description="Half zoveel autoverkeer op de oost-westas: 2 µg/m³ minder NO2 en 3 dB "
            "minder verkeersgeluid (10·log10 0,5) in een strook van 200 m.",
            changes=[
                Change(
                    kind,
                    street,
                    amount=amount,
                    width_m=200.0,
                    name="oost-westas",
                    measure="verkeer_luw",
                )
                for kind, amount in (("no2", 2.0), ("geluid", 3.0))
            ],
            health=health,
            run=run_config.resolve(),
        ),
    ]
    return [write_scenario(s, folder) for s in scenarios]
