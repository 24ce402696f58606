"""The proximity stage of a run: distances to green and amenities, straight and walking."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet
from gezondewijk.indicators.proximity import (
    Destinations,
    NetworkDestinations,
    OriginDistances,
    Origins,
    origin_distances,
)
from gezondewijk.indicators.reach import Reach, reach_per_cell
from gezondewijk.network import WalkNetwork, network_from_lines
from gezondewijk.network.distance import ENTRY_REACH_M
from gezondewijk.network.load import read_walk_network
from gezondewijk.settings import RunConfig
from gezondewijk.sources import read_features
from gezondewijk.sources.osm import OsmLayers, read_osm
from gezondewijk.variables import Variable, describe, walk_key

#: Variables an [osm] section fills, with the OSM layer each comes from.
OSM_VARIABLES = {
    "distance_green_m": "groen",
    "distance_gp_m": "huisarts",
    "distance_supermarket_m": "supermarkt",
    "distance_school_m": "basisschool",
    "distance_playground_m": "speelplek",
    "distance_green_1ha_m": "groen_1ha",
}


@dataclass
class ProximityInputs:
    """The destination layers and walking network of a run, read once for all its cells.

    Read in one place and then handed to every part of a run that measures cells (the
    process itself, or each worker of a cluster), so that all cells see the same layers.
    """

    layers: list[Destinations] = field(default_factory=list)
    network: WalkNetwork | None = None
    reach: float = ENTRY_REACH_M
    years: dict[str, int | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: OpenStreetMap point layers (sport, voedsel, zitplek, school…) and the walkable ways.
    points: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    streets: gpd.GeoDataFrame | None = None
    #: The walking network even where no distance layer needs it (counts of what is in reach).
    walk_network: WalkNetwork | None = None
    _walking: NetworkDestinations | None = field(default=None, init=False, repr=False)
    _reach: Reach | None = field(default=None, init=False, repr=False)

    def in_reach(self) -> Reach:
        """The index of :attr:`walk_network` for counts of what is in reach, built once."""
        if self._reach is None:
            self._reach = Reach.of(self.walk_network)
        return self._reach

    def walking(self) -> NetworkDestinations | None:
        """The layers on the network, searched once for every part (``None``: no network).

        Kept on this object once computed; a cluster's workers each compute their own.
        """
        if self.network is None or not any(d.walk for d in self.layers):
            return None
        if self._walking is None:
            self._walking = NetworkDestinations.of(self.layers, self.network, self.reach)
        return self._walking

    def __getstate__(self) -> dict[str, object]:
        # sent to a cluster's workers without what this process computed
        return {**self.__dict__, "_walking": None, "_reach": None}


def read_proximity_inputs(
    config: RunConfig, buurten: gpd.GeoDataFrame, progress: Progress
) -> ProximityInputs:
    """Read the run's ``[osm]`` extract, ``[[features]]`` layers and walking network.

    OpenStreetMap and the network are clipped to the union of all the run's buurten (plus the
    ``[osm]`` buffer), never to a part of them, so distances do not depend on how a run is
    split up.
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
            frame = _osm_layer(osm_layers, layer)
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
    points = osm_layers.points if osm_layers is not None else {}
    streets = osm_layers.walk if osm_layers is not None else None
    return ProximityInputs(
        layers,
        network if layers else None,
        reach,
        years,
        notes,
        points=points,
        streets=streets,
        walk_network=network,
    )


def _osm_layer(layers: OsmLayers, name: str) -> gpd.GeoDataFrame:
    """The OSM layer an ``[osm]`` variable is measured to."""
    if name == "groen":
        return layers.green
    if name == "groen_1ha":
        empty = gpd.GeoDataFrame(geometry=[], crs=layers.green.crs)
        return layers.green_connected if layers.green_connected is not None else empty
    if name in layers.amenities:
        return layers.amenities[name]
    return layers.points[name]


def measure_proximity(
    inputs: ProximityInputs,
    cells: CellSet,
    address_points: np.ndarray | None,
    *,
    keep: list[tuple[Origins, OriginDistances]] | None = None,
) -> dict[str, np.ndarray]:
    """Distances per cell (variable → metres) to green and amenities, straight and walking.

    Measured from the address points where the run has them, else from the cell centres (see
    :func:`gezondewijk.indicators.proximity.proximity`). Each cell's distances depend only on
    its own origins, so any subset of the cells gives the same values for those cells.
    ``keep``: the origins and their distances are appended to it, for scenarios on the run
    (which then need not measure them again).
    """
    sport, food = inputs.points.get("sport"), inputs.points.get("voedsel")
    if not inputs.layers and sport is None and food is None:
        return {}
    origins = (
        Origins.addresses(cells, address_points)
        if address_points is not None
        else Origins.cell_centres(cells)
    )
    distances = origin_distances(
        origins, inputs.layers, inputs.network, reach=inputs.reach, walking=inputs.walking()
    )
    if keep is not None:
        keep.append((origins, distances))
    out = distances.per_cell(origins)
    if (sport is not None and len(sport)) or (food is not None and len(food)):
        out.update(reach_per_cell(origins, sport, food, inputs.walk_network, inputs.in_reach()))
    return out


def distance_variable(key: str, inputs: ProximityInputs) -> Variable:
    """The metadata of a distance variable (straight or its walking twin), with its year."""
    base = next((v for v in inputs.years if key in (v, walk_key(v))), None)
    return describe(key).with_year(inputs.years.get(base) if base else None)
