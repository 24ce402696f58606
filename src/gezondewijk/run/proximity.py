"""The proximity stage of a run: distances to green and amenities, straight and walking."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet
from gezondewijk.indicators.proximity import Destinations, Origins, proximity
from gezondewijk.network import network_from_lines
from gezondewijk.network.distance import ENTRY_REACH_M
from gezondewijk.network.load import read_walk_network
from gezondewijk.settings import RunConfig
from gezondewijk.sources import read_features
from gezondewijk.sources.osm import read_osm
from gezondewijk.variables import Variable, describe, walk_key

#: Variables an [osm] section fills, with the OSM layer each comes from.
OSM_VARIABLES = {
    "distance_green_m": "groen",
    "distance_gp_m": "huisarts",
    "distance_supermarket_m": "supermarkt",
    "distance_school_m": "basisschool",
}


@dataclass
class Proximity:
    """Distances per cell (variable → metres), their metadata and what the stage noticed."""

    values: dict[str, np.ndarray] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def measure_proximity(
    config: RunConfig,
    buurten: gpd.GeoDataFrame,
    cells: CellSet,
    address_points: np.ndarray | None,
    progress: Progress,
) -> Proximity:
    """Distances to green and amenities per cell: straight and along the walking network.

    From the run's ``[osm]`` extract and ``[[features]]`` layers, measured from the address
    points where the run has them, else from the cell centres (see
    :func:`gezondewijk.indicators.proximity.proximity`).
    """
    notes: list[str] = []
    needs_area = config.osm is not None or config.network is not None
    area = shapely.union_all(buurten.geometry.to_numpy()) if needs_area else None
    layers: list[Destinations] = []
    years: dict[str, int | None] = {}
    osm_layers = None
    if config.osm is not None:
        osm_layers = read_osm(
            config.osm.path,
            clip=area,
            buffer_m=config.osm.buffer_m,
            green_min_area_ha=config.osm.green_min_area_ha,
        )
        stamp = osm_layers.newest.year if osm_layers.newest else None
        explicit = {f.variable for f in config.features}
        for variable, layer in OSM_VARIABLES.items():
            frame = osm_layers.green if layer == "groen" else osm_layers.amenities[layer]
            if variable in explicit:
                notes.append(f"{variable}: de eigen kaartlaag gaat voor OpenStreetMap.")
            elif frame.empty:
                notes.append(f"OpenStreetMap: geen {layer} in het gebied ({config.osm.path.name}).")
            else:
                layers.append(Destinations(variable, frame))
                years[variable] = stamp
        counts = ", ".join(f"{k} {v}" for k, v in osm_layers.counts().items())
        progress.note(f"OpenStreetMap {config.osm.path.name}: {counts}")
    for feat_cfg in config.features:
        feats = read_features(
            feat_cfg.path,
            layer=feat_cfg.layer,
            min_area_ha=feat_cfg.min_area_ha,
            where=feat_cfg.where,
            osm_kind=feat_cfg.osm_kind,
        )
        layers.append(Destinations(feat_cfg.variable, feats, walk=feat_cfg.network))
        years[feat_cfg.variable] = feat_cfg.year
        progress.note(f"{len(feats)} objecten uit {feat_cfg.path.name} → {feat_cfg.variable}")
    network = None
    reach = ENTRY_REACH_M
    if config.network is not None:
        net_cfg = config.network
        reach = net_cfg.entry_reach_m
        network = read_walk_network(
            net_cfg.path,
            layer=net_cfg.layer,
            exclude=net_cfg.exclude,
            node_at=net_cfg.node_at,
            clip=area,
        )
    elif osm_layers is not None and config.osm is not None and config.osm.network:
        network = network_from_lines(osm_layers.walk.geometry.to_numpy()).largest_component()
    if network is not None:
        notes.extend(network.notes)
        progress.note(
            f"looppadennetwerk: {network.n_nodes} knopen, {network.total_length_km:.0f} km"
        )
    if not layers:
        return Proximity(notes=notes)
    origins = (
        Origins.addresses(cells, address_points)
        if address_points is not None
        else Origins.cell_centres(cells)
    )
    values = proximity(origins, layers, network, reach=reach)
    variables = {}
    for key in values:
        base = key if key in years else next(v for v in years if walk_key(v) == key)
        variables[key] = describe(key).with_year(years[base])
    return Proximity(values, variables, notes)
