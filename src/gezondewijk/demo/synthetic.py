"""Generate a synthetic municipality and write it in the formats the publishers use.

The town is labelled "synthetische voorbeelddata" in every output. Its buurten are Voronoi
cells around random seeds inside a rounded outline; a latent deprivation score per buurt
drives SES-WOA and the RIVM-like health shares (with noise), so that the stacked map shows the
pattern a real town would: unfavourable factors stacking up in a few buurten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk.crs import RD_NEW, WGS84

GM = "GM9999"
NAMES = [
    "Centrum",
    "Oude Haven",
    "Stationskwartier",
    "Parkzoom",
    "De Akkers",
    "Molenwijk",
    "Bloemenbuurt",
    "Vogelbuurt",
    "Industrieterrein Noord",
    "Beekdal",
    "Kerkakker",
    "Hoge Weide",
    "Zonnehoek",
    "De Dreef",
    "Lindenhof",
    "Waterkant",
    "Rijnsoever",
    "Heideveld",
    "Schoolbuurt",
    "Bosrand",
    "Dorpsstraat",
    "Nieuwland",
    "Kanaalzone",
    "Sportpark",
    "Eikenlaan",
]


@dataclass
class SyntheticTown:
    """The generated layers, all in RD New."""

    buurten: gpd.GeoDataFrame
    addresses: gpd.GeoDataFrame
    green: gpd.GeoDataFrame
    amenities: gpd.GeoDataFrame
    no2: np.ndarray
    no2_origin: tuple[float, float]
    health: pd.DataFrame
    ses: pd.DataFrame
    streets: gpd.GeoDataFrame | None = None
    #: Road-traffic noise Lden (dB) on a 100 m grid, and its lower-left corner.
    noise: np.ndarray | None = None
    noise_origin: tuple[float, float] = (0.0, 0.0)


def make_synthetic_town(
    n_buurten: int = 18,
    *,
    seed: int = 7,
    origin: tuple[float, float] = (150_000.0, 440_000.0),
    size_m: float = 6_000.0,
) -> SyntheticTown:
    """Build a synthetic municipality.

    Parameters
    ----------
    n_buurten
        Number of buurten (2..25).
    seed
        Random seed; the same seed gives the same town.
    origin
        RD New south-west corner of the town's bounding box.
    size_m
        Width and height of the bounding box.
    """
    if not 2 <= n_buurten <= len(NAMES):
        raise ValueError(f"n_buurten must be between 2 and {len(NAMES)}")
    rng = np.random.default_rng(seed)
    x0, y0 = origin
    centre = shapely.Point(x0 + size_m / 2, y0 + size_m / 2)
    outline = shapely.buffer(centre, size_m * 0.45, quad_segs=6)
    geoms = _buurt_shapes(rng, n_buurten, origin, size_m, outline)
    buurten, deprivation = _buurten_frame(rng, geoms, centre, size_m)
    population = buurten["aantal_inwoners"].to_numpy(dtype=float)
    addr = _address_points(rng, geoms, population)
    green = _green(rng, origin, size_m)
    # nobody lives in the parks, nor on a business park in the north-east
    business = shapely.box(
        x0 + size_m * 0.62, y0 + size_m * 0.62, x0 + size_m * 0.85, y0 + size_m * 0.8
    )
    empty = shapely.union_all([*green.geometry, business])
    addr = addr[~shapely.contains_xy(empty, addr[:, 0], addr[:, 1])]
    addresses = gpd.GeoDataFrame(geometry=shapely.points(addr), crs=RD_NEW)
    amenities = _amenities(rng, centre, size_m)
    no2, no2_origin = _no2_grid(rng, origin, size_m, centre)
    health, ses = _health_and_ses(rng, list(buurten["buurtcode"]), deprivation, population)
    streets = _streets(outline, size_m, (x0, y0), seed)
    noise, noise_origin = _noise(centre, size_m, (x0, y0), seed)
    return SyntheticTown(
        buurten,
        addresses,
        green,
        amenities,
        no2,
        no2_origin,
        health,
        ses,
        streets,
        noise,
        noise_origin,
    )


def _buurt_shapes(
    rng: np.random.Generator,
    n_buurten: int,
    origin: tuple[float, float],
    size_m: float,
    outline: shapely.Geometry,
) -> np.ndarray:
    """Voronoi pieces of the outline, the smallest merged into a neighbour until n remain."""
    x0, y0 = origin
    seeds = shapely.MultiPoint(
        rng.uniform([x0, y0], [x0 + size_m, y0 + size_m], size=(n_buurten * 3, 2))
    )
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=outline))
    pieces = [c.intersection(outline) for c in cells]
    pieces = [p for p in pieces if not p.is_empty and p.area > 0.02 * outline.area / n_buurten]
    pieces.sort(key=lambda g: (round(g.centroid.y, -2), g.centroid.x))
    while len(pieces) > n_buurten:
        small = int(np.argmin([p.area for p in pieces]))
        p = pieces.pop(small)
        touching = [i for i, q in enumerate(pieces) if q.intersects(p.buffer(1))]
        target = min(touching, key=lambda i: pieces[i].area) if touching else 0
        pieces[target] = shapely.union(pieces[target], p).buffer(0)
    return np.array(pieces, dtype=object)


def _buurten_frame(
    rng: np.random.Generator, geoms: np.ndarray, centre: shapely.Point, size_m: float
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The buurten with CBS's columns, and their deprivation (more in the centre)."""
    n = len(geoms)
    dist_centre = np.array([g.centroid.distance(centre) for g in geoms]) / (size_m * 0.45)
    deprivation = np.clip(rng.normal(0, 1, n) + 0.8 * (1 - dist_centre) - 0.3, -2.5, 2.5)
    areas_km2 = shapely.area(geoms) / 1e6
    density = np.clip(rng.normal(4500, 1500, n) * (1.6 - dist_centre), 300, 14000)
    population = np.round(density * areas_km2 / 5) * 5
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": [f"BU9999{i // 10:02d}{i % 10:02d}" for i in range(n)],
            "buurtnaam": NAMES[:n],
            "wijkcode": [f"WK9999{i // 10:02d}" for i in range(n)],
            "gemeentecode": GM,
            "gemeentenaam": "Gezondweide",
            "aantal_inwoners": population.astype(int),
            "bevolkingsdichtheid_inwoners_per_km2": np.round(population / areas_km2),
            # CBS has not published these yet for this year: the sentinel, as in the real file
            "huisartsenpraktijk_gemiddelde_afstand_in_km": -99995.0,
            "afstand_tot_openbaar_groen_totaal": -99995.0,
        },
        geometry=geoms,
        crs=RD_NEW,
    )
    return buurten, deprivation


def _address_points(
    rng: np.random.Generator, geoms: np.ndarray, population: np.ndarray
) -> np.ndarray:
    """Points inside each buurt, about one per 2.1 inhabitants."""
    found = []
    for g, pop in zip(geoms, population, strict=True):
        k = max(1, int(pop / 2.1))
        minx, miny, maxx, maxy = g.bounds
        pts = np.empty((0, 2))
        while len(pts) < k:
            cand = rng.uniform([minx, miny], [maxx, maxy], size=(k * 3, 2))
            inside = shapely.contains_xy(g, cand[:, 0], cand[:, 1])
            pts = np.vstack([pts, cand[inside]])
        found.append(pts[:k])
    return np.vstack(found)


def _green(
    rng: np.random.Generator, origin: tuple[float, float], size_m: float
) -> gpd.GeoDataFrame:
    """Some parks (≥ 0.5 ha) and small plantsoenen (< 0.5 ha)."""
    x0, y0 = origin
    shapes = []
    for _ in range(14):
        c = rng.uniform([x0 + 800, y0 + 800], [x0 + size_m - 800, y0 + size_m - 800])
        shapes.append(shapely.Point(c).buffer(rng.uniform(45, 160), quad_segs=4))
    for _ in range(10):
        c = rng.uniform([x0, y0], [x0 + size_m, y0 + size_m])
        shapes.append(shapely.box(c[0], c[1], c[0] + 40, c[1] + 40))
    return gpd.GeoDataFrame({"type": ["groen"] * len(shapes)}, geometry=shapes, crs=RD_NEW)


def _amenities(rng: np.random.Generator, centre: shapely.Point, size_m: float) -> gpd.GeoDataFrame:
    """GPs, supermarkets and primary schools, denser towards the centre."""
    kinds = {"huisarts": 5, "supermarkt": 6, "basisschool": 8}
    rows = []
    for kind, k in kinds.items():
        for _ in range(k):
            r = size_m * 0.38 * np.sqrt(rng.uniform(0, 1))
            a = rng.uniform(0, 2 * np.pi)
            rows.append((kind, centre.x + r * np.cos(a), centre.y + r * np.sin(a)))
    return gpd.GeoDataFrame(
        {"voorziening": [r[0] for r in rows]},
        geometry=shapely.points([(r[1], r[2]) for r in rows]),
        crs=RD_NEW,
    )


def _no2_grid(
    rng: np.random.Generator, origin: tuple[float, float], size_m: float, centre: shapely.Point
) -> tuple[np.ndarray, tuple[float, float]]:
    """NO2 on a 1 km grid: background, a motorway along the south edge, and the centre."""
    x0, y0 = origin
    gx0, gy0 = x0 - 2000, y0 - 2000
    ncols = nrows = int(size_m / 1000) + 4
    xs = gx0 + 500 + 1000 * np.arange(ncols)
    ys = gy0 + 500 + 1000 * np.arange(nrows)[::-1]
    xx, yy = np.meshgrid(xs, ys)
    road = 14 * np.exp(-np.abs(yy - (y0 + 800)) / 900)
    town = 6 * np.exp(-np.hypot(xx - centre.x, yy - centre.y) / 1800)
    return np.round(7.5 + road + town + rng.normal(0, 0.4, xx.shape), 2), (gx0, gy0)


def _health_and_ses(
    rng: np.random.Generator, codes: list[str], deprivation: np.ndarray, population: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Health shares and SES-WOA driven by deprivation; the smallest buurt suppressed."""
    n = len(codes)

    def share(base: float, slope: float, sd: float) -> np.ndarray:
        return np.round(np.clip(base + slope * deprivation + rng.normal(0, sd, n), 1, 99), 1)

    health = pd.DataFrame(
        {
            "WijkenEnBuurten": codes,
            "ErvarenGezondheidGoedZeerGoed_4": share(78, -5, 1.5),
            "MatigHoogRisicoOpAngstOfDepressie_24": share(46, 4, 1.5),
            "HeelVeelStressInAfgelopen4Weken_26": share(16, 3, 1.0),
            "Eenzaam_28": share(47, 5, 2.0),
            "MoeiteMetRondkomen_38": share(14, 6, 1.5),
        }
    )
    ses = pd.DataFrame(
        {"code": codes, "ses": np.round(-0.35 * deprivation + rng.normal(0, 0.08, n), 3)}
    )
    # one small buurt has too few residents: RIVM and CBS suppress its figures
    smallest = int(np.argmin(population))
    health.loc[smallest, health.columns[1:]] = np.nan
    ses.loc[smallest, "ses"] = np.nan
    return health, ses


def _noise(
    centre: shapely.Point, size_m: float, origin: tuple[float, float], seed: int
) -> tuple[np.ndarray, tuple[float, float]]:
    """Road-traffic Lden (dB) on a 100 m grid: the motorway along the south, the main street.

    A quiet background of about 45 dB, up to ~70 dB next to the motorway (the NO2 map's road)
    and ~62 dB along the east–west main street through the centre, falling off over a few
    hundred metres (about 3 dB per doubling of distance from a line source, roughly). Its own
    random stream, so that the rest of the town stays as it was.
    """
    rng = np.random.default_rng(seed + 2000)
    x0, y0 = origin
    n = int(size_m / 100) + 2
    xs = x0 - 100 + 50 + 100 * np.arange(n)
    ys = y0 - 100 + 50 + 100 * np.arange(n)[::-1]
    xx, yy = np.meshgrid(xs, ys)
    motorway = 25 * np.exp(-np.abs(yy - (y0 + 800)) / 350)
    street = 16 * np.exp(-np.abs(yy - centre.y) / 120) * (np.abs(xx - centre.x) < 1500)
    lden = 45 + np.maximum(motorway, street) + rng.normal(0, 0.8, xx.shape)
    return np.round(np.clip(lden, 40, 78), 1), (x0 - 100, y0 - 100)


def _streets(
    outline: shapely.Geometry, size_m: float, origin: tuple[float, float], seed: int
) -> gpd.GeoDataFrame:
    """A walking network: a slightly irregular street grid, cut by a canal with three bridges.

    The canal runs east–west through the town; only the bridges cross it, so around the canal
    the walk to a park or school on the other bank is much longer than the straight line (the
    point of measuring along the network). Streets share vertices at junctions, as in
    OpenStreetMap.
    """
    rng = np.random.default_rng(seed + 1000)
    x0, y0 = origin
    step = 150.0
    xs = np.arange(x0, x0 + size_m + step, step)
    ys = np.arange(y0, y0 + size_m + step, step)
    jitter = rng.normal(0, 12, (len(ys), len(xs), 2))
    nodes = np.stack(np.meshgrid(xs, ys), axis=-1) + jitter
    canal_row = len(ys) // 2 + 2  # the canal runs between this row and the next
    bridges = set(rng.choice(np.arange(3, len(xs) - 3), size=3, replace=False).tolist())
    lines, kinds = [], []
    for r in range(len(ys)):
        for c in range(len(xs)):
            if c + 1 < len(xs) and rng.random() > 0.06:
                lines.append(shapely.LineString([nodes[r, c], nodes[r, c + 1]]))
                kinds.append("residential" if r % 4 else "tertiary")
            crosses_canal = r == canal_row
            if r + 1 < len(ys) and (not crosses_canal or c in bridges) and rng.random() > 0.06:
                lines.append(shapely.LineString([nodes[r, c], nodes[r + 1, c]]))
                kinds.append("footway" if crosses_canal else "residential")
    frame = gpd.GeoDataFrame({"highway": kinds}, geometry=np.array(lines, dtype=object), crs=RD_NEW)
    inside = shapely.intersects(frame.geometry.to_numpy(), shapely.buffer(outline, 300))
    return frame[inside].reset_index(drop=True)


def _margin_rows(
    rows: list[dict[str, object]], columns: list[str], half_width: dict[str, float]
) -> list[dict[str, object]]:
    """RIVM's lower (MOG0095) and upper (MBG0095) 95 % bound rows for every estimate row."""
    out = []
    for marge, sign in (("MOG0095", -1.0), ("MBG0095", 1.0)):
        for row in rows:
            bound = dict(row, Marges=marge)
            w = half_width[str(row["Codering_3"])]
            for col in columns:
                value = row[col]
                if isinstance(value, str) and value.strip():
                    bound[col] = f"{min(100.0, max(0.0, float(value) + sign * w)):8.1f}"
            out.append(bound)
    return out


#: The demo's run file; ``{noise}`` and ``{network}`` are filled in where the town has them.
_RUN_FILE = """\
# Synthetic municipality "Gezondweide" (synthetische voorbeelddata), by gezondewijk demo
name = "Gezondweide (synthetisch)"
preset = "eindhoven-8"
synthetic = true
output_dir = "uitvoer/demo"

[buurten]
path = "buurten.geojson"
year = 2024

[[tables]]
kind = "rivm"
path = "rivm_gezondheid.csv"

[[tables]]
kind = "ses_woa"
path = "ses_woa.csv"

[[rasters]]
variable = "no2"
path = "conc_no2.asc"
year = 2021
{noise}
[[features]]
variable = "distance_green_m"
path = "groen.geojson"
min_area_ha = 0.5

[[features]]
variable = "distance_gp_m"
path = "voorzieningen.geojson"
where = { voorziening = ["huisarts"] }

[[features]]
variable = "distance_supermarket_m"
path = "voorzieningen.geojson"
where = { voorziening = ["supermarkt"] }

[[features]]
variable = "distance_school_m"
path = "voorzieningen.geojson"
where = { voorziening = ["basisschool"] }

[addresses]
path = "adressen.geojson"
{network}
[grid]
kind = "hex"
edge_m = 100

[inequality]
variables = ["good_health_pct", "lonely_pct", "no2"]
ses = "ses_woa"
bootstrap = 500
"""


def _health_rows(town: SyntheticTown) -> tuple[list[dict[str, Any]], list[str]]:
    """The health table in RIVM's 50090NED layout (text, as downloaded), and its columns."""
    rows = []
    for i, r in town.health.iterrows():
        row = {
            "ID": i,
            "Leeftijd": "20300",
            "Marges": "MW00000",
            "WijkenEnBuurten": f"{r['WijkenEnBuurten']}  ",
            "Perioden": "2020JJ00",
            "Gemeentenaam_1": "Gezondweide",
            "SoortRegio_2": "Buurt",
            "Codering_3": r["WijkenEnBuurten"],
        }
        for col in town.health.columns[1:]:
            row[col] = "" if pd.isna(r[col]) else f"{r[col]:8.1f}"
        rows.append(row)
    return rows, [str(c) for c in town.health.columns[1:]]


def _earlier_rows(rows: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    """The same table four years earlier (2016), for the monitoring demo.

    Health a little better, loneliness a little lower, with noise; a few buurten moved
    against the trend.
    """
    rng = np.random.default_rng(2016)
    earlier = []
    for row in rows:
        old = dict(row, Perioden="2016JJ00")
        for col in columns:
            if row[col] == "":
                continue
            drift = {"ErvarenGezondheidGoedZeerGoed_4": 1.5, "Eenzaam_28": -2.0}.get(col, -0.5)
            value = float(row[col]) + drift + rng.normal(0, 0.8)
            if rng.random() < 0.12:
                value -= 5 * np.sign(drift or 1)
            old[col] = f"{value:8.1f}"
        earlier.append(old)
    return earlier


def _write_health(town: SyntheticTown, folder: Path) -> None:
    """``rivm_gezondheid.csv`` (2020) and ``rivm_gezondheid_2016.csv``, with 95 % margins."""
    rows, columns = _health_rows(town)
    # RIVM publishes 95 % margins as extra rows (MOG0095 lower, MBG0095 upper); small
    # buurten get wide ones
    widths = np.random.default_rng(95).random(len(town.health))
    half_width = {
        r["WijkenEnBuurten"]: 1.5 + 4.5 * w
        for (_, r), w in zip(town.health.iterrows(), widths, strict=True)
    }
    for name, table in (
        ("rivm_gezondheid.csv", rows),
        ("rivm_gezondheid_2016.csv", _earlier_rows(rows, columns)),
    ):
        margins = _margin_rows(table, columns, half_width)
        pd.DataFrame(table + margins).to_csv(folder / name, index=False)


def _write_ses(town: SyntheticTown, folder: Path) -> None:
    """``ses_woa.csv`` as StatLine writes it: BOM, ``;``, decimal comma, ``.`` for missing."""
    lines = [
        '"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
        '"SES-WOA/Totaalscore/Gemiddelde score (Getal)"'
    ]
    for code, name, val in zip(
        town.ses["code"], town.buurten["buurtnaam"], town.ses["ses"], strict=True
    ):
        text = "." if pd.isna(val) else f"{val:.3f}".replace(".", ",")
        lines.append(f'"2019";"{name}";"{code}";"{text}"')
    (folder / "ses_woa.csv").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def _write_ascii_grid(
    path: Path, values: np.ndarray, origin: tuple[float, float], cell: int, digits: int
) -> None:
    """An ESRI ASCII grid (no CRS, as RIVM ships its concentration maps)."""
    nrows, ncols = values.shape
    header = (
        f"NCOLS {ncols}\nNROWS {nrows}\nXLLCORNER {origin[0]:.0f}\n"
        f"YLLCORNER {origin[1]:.0f}\nCELLSIZE {cell}\nNODATA_VALUE -999\n"
    )
    body = "\n".join(" ".join(f"{v:.{digits}f}" for v in row) for row in values)
    path.write_text(header + body + "\n", encoding="ascii")


def write_synthetic_inputs(town: SyntheticTown, folder: Path) -> Path:
    """Write the town as publishers ship their data, plus a run configuration.

    Files: ``buurten.geojson`` (WGS84, CBS property names and -99995 sentinels),
    ``rivm_gezondheid.csv`` (50090NED layout), ``ses_woa.csv`` (StatLine CSV with BOM, ``;``,
    decimal comma and ``.``), ``conc_no2.asc`` (ESRI ASCII, 1 km, no CRS), ``groen.geojson``,
    ``voorzieningen.geojson``, ``adressen.geojson``; and ``gezondweide.toml`` to run them.

    Returns
    -------
    pathlib.Path
        The configuration file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    town.buurten.to_crs(WGS84).to_file(folder / "buurten.geojson", driver="GeoJSON")
    _write_health(town, folder)
    _write_ses(town, folder)
    _write_ascii_grid(folder / "conc_no2.asc", town.no2, town.no2_origin, 1000, 2)
    noise_raster = ""
    if town.noise is not None:
        _write_ascii_grid(folder / "geluid_lden.asc", town.noise, town.noise_origin, 100, 1)
        noise_raster = (
            '\n[[rasters]]\n# road-traffic noise Lden (dB), 100 m\nvariable = "noise_lden"\n'
            'path = "geluid_lden.asc"\nyear = 2022\n'
        )
    town.green.to_file(folder / "groen.geojson", driver="GeoJSON")
    town.amenities.to_file(folder / "voorzieningen.geojson", driver="GeoJSON")
    town.addresses.to_file(folder / "adressen.geojson", driver="GeoJSON")
    network = ""
    if town.streets is not None:
        town.streets.to_crs(WGS84).to_file(folder / "straten.geojson", driver="GeoJSON")
        network = (
            "\n[network]\n# streets and footpaths; junctions are shared vertices\n"
            'path = "straten.geojson"\n'
        )
    config = folder / "gezondweide.toml"
    text = _RUN_FILE.replace("{network}", network).replace("{noise}", noise_raster)
    config.write_text(text, encoding="utf-8")
    return config
