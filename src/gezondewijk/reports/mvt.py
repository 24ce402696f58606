"""Mapbox Vector Tile encoding of polygon layers, vectorised with NumPy and Shapely.

The format is the Mapbox Vector Tile specification 2.1
(https://github.com/mapbox/vector-tile-spec/tree/master/2.1): a protobuf ``Tile`` of
``Layer`` messages; each feature carries packed ``tags`` (pairs of indices into the layer's
``keys`` and ``values``) and a packed ``geometry`` of commands ``MoveTo`` (1), ``LineTo`` (2)
and ``ClosePath`` (7), with ``CommandInteger = (id & 0x7) | (count << 3)`` and parameters as
zigzag-encoded deltas from a cursor that starts at (0, 0) for every feature
(``ParameterInteger = (v << 1) ^ (v >> 31)``). An exterior ring has a positive area by the
spec's shoelace formula in tile coordinates (y down), an interior ring a negative one.

Why our own encoder: the maintained Python encoder (``mapbox-vector-tile``) walks every
coordinate and every property in Python: 93 ms for a tile of 1,511 hexagons with 20
properties, measured on the national run, and a city view needs a dozen such tiles. Here a
tile is a handful of array operations over all its features (varints, zigzag, deltas, tag
pairs, and the bytes of all messages gathered with one fancy index): 62 ms for 10,044
hexagons (~6 µs a feature, ~10× faster), and 40 % smaller gzipped because numbers go as
32-bit floats. The tests decode our tiles with ``mapbox-vector-tile`` and compare geometry
and properties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

#: Tile coordinate extent (the spec's default).
EXTENT = 4096

_MOVE_TO = 1 | (1 << 3)
_CLOSE_PATH = 7 | (1 << 3)
_LINE_TO = 2


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Protobuf base-128 varints of non-negative integers below 2³², all at once.

    Returns the concatenated bytes and the byte length of each value (to cut it up again).
    """
    v = np.asarray(values, dtype=np.uint64)
    lengths = np.ones(len(v), dtype=np.int64)
    for k in (7, 14, 21, 28):
        lengths += v >= (1 << k)
    offsets = _end_to_end(lengths)
    out = np.zeros(int(lengths.sum()), dtype=np.uint8)
    for k in range(5):
        has = lengths > k
        byte = (v[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (lengths[has] > k + 1).astype(np.uint64) << np.uint64(7)
        out[offsets[has] + k] = (byte | more).astype(np.uint8)
    return out, lengths


def _gather(source: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The byte runs ``source[starts[i] : starts[i] + lengths[i]]``, one after the other.

    ``starts`` and ``lengths`` may have any shape; runs are taken in C order. One fancy
    index instead of a Python loop over features.
    """
    starts = starts.reshape(-1).astype(np.int64)
    lengths = lengths.reshape(-1).astype(np.int64)
    out_start = _end_to_end(lengths)
    index = np.repeat(starts - out_start, lengths) + np.arange(int(lengths.sum()))
    return source[index]


def _end_to_end(lengths: np.ndarray) -> np.ndarray:
    """Start offsets of runs of ``lengths`` laid end to end."""
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _interleave(parts: list[np.ndarray], runs: list[tuple[int, np.ndarray, np.ndarray]]) -> bytes:
    """The bytes of many messages built at once.

    For each item ``i`` in turn: ``parts[p][start[i] : start[i] + length[i]]`` for each run
    ``(p, start, length)`` in ``runs``.
    """
    base = np.cumsum([0, *(len(p) for p in parts)])
    source = np.concatenate(parts)
    starts = np.stack([base[p] + start for p, start, _ in runs], axis=1)
    lengths = np.stack([length for _, _, length in runs], axis=1)
    return _gather(source, starts, lengths).tobytes()


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(tag: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return bytes([tag]) + _varint(len(payload)) + payload


def _zigzag(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.int64)
    return ((v << 1) ^ (v >> 63)).astype(np.uint64)


def _geometry_streams(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Command/parameter integers of polygon features, and how many belong to each feature.

    ``geoms`` are Polygons or MultiPolygons in tile coordinates, oriented (exterior rings
    with positive shoelace area in tile coordinates); they are rounded to the grid here. A
    feature whose rings all collapse gets no integers (the caller leaves it out).
    """
    parts, part_feature = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    # round to the tile grid; drop points equal to the one before (in the same ring) and
    # each ring's closing point (ClosePath closes it)
    xy = np.rint(coords).astype(np.int64)
    same_ring = np.append(False, point_ring[1:] == point_ring[:-1])
    repeat = same_ring & np.append(False, (xy[1:] == xy[:-1]).all(axis=1))
    last = np.append(point_ring[1:] != point_ring[:-1], True)
    keep = ~repeat & ~last
    # rings that rounding left with fewer than 3 points go, and with an exterior its holes
    count = np.bincount(point_ring[keep], minlength=len(rings))
    part_ok = np.ones(len(parts), dtype=bool)
    first_ring = np.flatnonzero(np.diff(np.append(-1, ring_part)) != 0)
    part_ok[ring_part[first_ring]] = count[first_ring] >= 3
    ring_ok = part_ok[ring_part] & (count >= 3)
    keep &= ring_ok[point_ring]
    ring_index = np.cumsum(ring_ok) - 1  # renumber the rings that stay
    ring_feature = part_feature[ring_part][ring_ok]
    rings = rings[ring_ok]
    xy = xy[keep]
    point_ring = ring_index[point_ring[keep]]
    point_feature = ring_feature[point_ring]
    # deltas from the cursor, which starts at (0, 0) for each feature and runs on across rings
    delta = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    first_of_feature = np.flatnonzero(np.diff(np.append(-1, point_feature)) != 0)
    delta[first_of_feature] = xy[first_of_feature]
    params = _zigzag(delta).reshape(-1)  # dx, dy interleaved
    # per ring: [MoveTo, dx, dy, LineTo(n-1), dx, dy, ..., ClosePath]
    n_ring = len(rings)
    points_per_ring = np.bincount(point_ring, minlength=n_ring)
    ints_per_ring = 2 * points_per_ring + 3
    stream = np.zeros(int(ints_per_ring.sum()), dtype=np.uint64)
    start = _end_to_end(ints_per_ring)
    stream[start] = _MOVE_TO
    stream[start + 3] = _LINE_TO | ((points_per_ring - 1).astype(np.uint64) << np.uint64(3))
    stream[start + ints_per_ring - 1] = _CLOSE_PATH
    is_param = np.ones(len(stream), dtype=bool)
    is_param[start] = is_param[start + 3] = is_param[start + ints_per_ring - 1] = False
    stream[is_param] = params
    per_feature = np.bincount(ring_feature, weights=ints_per_ring, minlength=len(geoms))
    return stream, per_feature.astype(np.int64)


def _value(v: object) -> bytes:
    """One ``Value`` message: text, whole number or 32-bit float."""
    if isinstance(v, str):
        return _field(0x0A, v.encode("utf-8"))
    if isinstance(v, (bool, np.bool_)):
        return bytes([0x38, 1 if v else 0])
    if isinstance(v, (int, np.integer)):
        n = int(v)
        if n >= 0:
            return bytes([0x28]) + _varint(n)
        return bytes([0x30]) + _varint((n << 1) ^ (n >> 63))
    return bytes([0x15]) + np.float32(float(v)).tobytes()  # type: ignore[arg-type]


def _value_fields(uniques: object) -> bytes:
    """``Layer.values`` entries of one column's distinct values, floats all at once."""
    arr = np.asarray(uniques)
    if arr.dtype.kind == "f":
        # tag 0x22, length 5, then Value.float_value: tag 0x15 and 4 little-endian bytes
        out = np.empty((len(arr), 7), dtype=np.uint8)
        out[:, :3] = (0x22, 0x05, 0x15)
        out[:, 3:] = arr.astype("<f4").view(np.uint8).reshape(-1, 4)
        return out.tobytes()
    if arr.dtype.kind in "OUT" and len(arr) and all(isinstance(u, str) for u in arr.tolist()):
        return _text_fields(arr.tolist())
    return b"".join(_field(0x22, _value(u)) for u in arr.tolist())


def _text_fields(texts: list[str]) -> bytes:
    """``Layer.values`` entries ``0x22 len 0x0A len text`` of many texts at once."""
    import pyarrow as pa

    strings = pa.array(texts, type=pa.large_string())
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)[: len(texts) + 1]
    data = np.frombuffer(strings.buffers()[2], dtype=np.uint8)[: offsets[-1]]
    k = np.diff(offsets)
    vk, vk_len = varints(k)
    vv, vv_len = varints(1 + vk_len + k)
    const = np.frombuffer(b"\x22\x0a", dtype=np.uint8)
    zero, one = np.zeros(len(texts), np.int64), np.ones(len(texts), np.int64)
    runs = [
        (0, zero, one),  # 0x22: Layer.values
        (1, _end_to_end(vv_len), vv_len),
        (0, one, one),  # 0x0A: Value.string_value
        (2, _end_to_end(vk_len), vk_len),
        (3, offsets[:-1], k),
    ]
    return _interleave([const, vv, vk, data], runs)


def _tags(props: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, bytes]:
    """Tag integers of every feature, how many per feature, and the layer's ``values``."""
    n = len(props)
    values: list[bytes] = []
    n_values = 0
    columns = []
    for key_index, name in enumerate(props.columns):
        col = props[name]
        if pd.api.types.is_float_dtype(col) and not col.isna().all():
            whole = col.dropna()
            if (whole == np.round(whole)).all() and whole.abs().max() < 2**31:
                col = col.astype("Int64")  # whole numbers in a float column: integers
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        codes = codes.astype(np.int64)
        codes[codes >= 0] += n_values
        n_values += len(uniques)
        values.append(_value_fields(uniques))
        columns.append((np.full(n, key_index, dtype=np.int64), codes))
    if not columns:
        return np.zeros(0, np.uint64), np.zeros(n, np.int64), b""
    keys = np.stack([k for k, _ in columns], axis=1)
    vals = np.stack([c for _, c in columns], axis=1)
    present = vals >= 0
    pairs = np.stack([keys, vals], axis=2)[present]  # features in order, columns in order
    per_feature = present.sum(axis=1) * 2
    return pairs.reshape(-1).astype(np.uint64), per_feature.astype(np.int64), b"".join(values)


def encode_layer(name: str, geoms: np.ndarray, props: pd.DataFrame, extent: int = EXTENT) -> bytes:
    """One ``Layer`` message of polygon features.

    Parameters
    ----------
    name
        The layer name (MapLibre's ``source-layer``).
    geoms
        Polygons or MultiPolygons in tile coordinates (0 … ``extent``, y down), already
        clipped to the tile with its buffer. They are rounded to the integer grid here;
        features under one square unit and rings that collapse are left out.
    props
        One row per geometry; missing values (NaN, None) give no tag. Whole numbers are
        written as integers, other numbers as 32-bit floats, the rest as text.
    """
    geoms = np.array(geoms, dtype=object)  # a copy: collections are replaced below
    kind = shapely.get_type_id(geoms)
    keep = np.isin(kind, (3, 6)) & (shapely.area(geoms) >= 1.0)
    mixed = np.flatnonzero(~keep & (kind == 7) & (shapely.area(geoms) >= 1.0))
    for i in mixed:  # a collection from clipping: keep its polygons
        parts = [p for p in shapely.get_parts(geoms[i]) if p.geom_type == "Polygon"]
        if parts:
            geoms[i] = shapely.MultiPolygon(parts)
            keep[i] = True
    oriented = shapely.orient_polygons(geoms[keep], exterior_cw=False)
    props = props.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    if len(oriented) == 0:
        return _layer(name, b"", [], b"", extent)

    geometry, geometry_count = _geometry_streams(oriented)
    drawn = geometry_count > 0
    geometry_count = geometry_count[drawn]
    tags, tag_count, values = _tags(props[drawn].reset_index(drop=True))
    body = _features(geometry, geometry_count, tags, tag_count)
    keys = [str(c) for c in props.columns]
    return _layer(name, body, keys, values, extent)


def _features(
    geometry: np.ndarray, geometry_count: np.ndarray, tags: np.ndarray, tag_count: np.ndarray
) -> bytes:
    """``Layer.features`` of all features at once (by :func:`_gather`).

    Each feature is ``0x12 len(body) body`` with the body ``0x12 len(tags) tags 0x18 0x03
    0x22 len(geometry) geometry`` (tags, type polygon, geometry).
    """
    g_bytes, g_len = varints(geometry)
    t_bytes, t_len = varints(tags)
    g_size = _sums(g_len, geometry_count)
    t_size = _sums(t_len, tag_count)
    vt, vt_len = varints(t_size)
    vg, vg_len = varints(g_size)
    vb, vb_len = varints(1 + vt_len + t_size + 3 + vg_len + g_size)
    const = np.frombuffer(b"\x12\x18\x03\x22", dtype=np.uint8)
    zero = np.zeros(len(geometry_count), np.int64)
    one = np.ones(len(geometry_count), np.int64)
    runs = [
        (0, zero, one),  # 0x12: Layer.features
        (1, _end_to_end(vb_len), vb_len),
        (0, zero, one),  # 0x12: Feature.tags
        (2, _end_to_end(vt_len), vt_len),
        (3, _end_to_end(t_size), t_size),
        (0, one, 3 * one),  # 0x18 0x03 0x22: type polygon, Feature.geometry
        (4, _end_to_end(vg_len), vg_len),
        (5, _end_to_end(g_size), g_size),
    ]
    return _interleave([const, vb, vt, t_bytes, vg, g_bytes], runs)


def _sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of consecutive runs of ``counts`` values (runs may be empty)."""
    total = np.concatenate([[0], np.cumsum(values)])
    end = np.cumsum(counts)
    return (total[end] - total[end - counts]).astype(np.int64)


def _layer(name: str, features: bytes, keys: list[str], values: bytes, extent: int) -> bytes:
    body = b"".join(
        [
            b"\x78\x02",  # version 2
            _field(0x0A, name.encode("utf-8")),
            features,
            *(_field(0x1A, k.encode("utf-8")) for k in keys),
            values,
            b"\x28" + _varint(extent),
        ]
    )
    return _field(0x1A, body)  # Tile.layers
