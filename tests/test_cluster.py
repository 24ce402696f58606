"""A run on a Dask cluster equals the run in one process, cell for cell (real LocalCluster)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from gezondewijk._errors import ConfigError, GridError
from gezondewijk.areas import build_cells, make_grid
from gezondewijk.areas.partition import join_parts, owned_cells, split_buurten, with_halo
from gezondewijk.cli import main as cli
from gezondewijk.run import build_map
from gezondewijk.run.cluster import Cluster, part_jobs
from gezondewijk.settings import load_config
from tests.conftest import shared_path

#: Takes more than a few seconds (``pytest -m "not slow"`` leaves it out).
pytestmark = pytest.mark.slow

#: Eindhoven and five neighbours: more gemeenten than twice the parts, so whole gemeenten.
KEMPEN = ["GM0772", "GM0794", "GM0861", "GM0753", "GM0866", "GM0820"]


@pytest.fixture(scope="module")
def cluster() -> object:
    with Cluster.connect(workers=2) as c:
        yield c


def test_parts_cover_every_buurt_once_and_the_halo_reaches_across(town: Path) -> None:
    config = load_config(town)
    from gezondewijk.run.stages import read_address_points, read_study_area

    buurten = read_study_area(config.buurten).buurten
    parts = split_buurten(buurten, 4)
    assert len(parts) == 4
    every = np.sort(np.concatenate(parts))
    assert np.array_equal(every, np.arange(len(buurten)))  # each buurt in exactly one part
    jobs = part_jobs(buurten, config, read_address_points(config), 4)
    assert all(len(j.positions) > len(j.own) for j in jobs)  # every part has a halo
    # laid apart and joined, the cells and pieces equal one laying over all buurten
    grid = make_grid("hex", edge=100)
    points = read_address_points(config)
    assert points is not None
    whole = build_cells(buurten, grid, address_points=points)
    raw = [build_cells(j.buurten, grid, address_points=j.address_points) for j in jobs]
    laid = [owned_cells(cells, j.positions, j.own) for cells, j in zip(raw, jobs, strict=True)]
    # cells on part borders: laid by two parts, kept by one
    assert sum(len(cells) for cells in raw) > len(whole)
    joined, _ = join_parts(grid, laid, len(points))
    assert np.array_equal(joined.keys, whole.keys)
    pd.testing.assert_frame_equal(joined.pieces, whole.pieces, check_exact=True)
    assert joined.addresses is not None and whole.addresses is not None
    assert np.array_equal(joined.addresses, whole.addresses)
    assert joined.notes == whole.notes
    with pytest.raises(GridError, match="halo"):
        join_parts(grid, [laid[0], laid[0]], None)


def test_halo_holds_every_buurt_a_border_cell_touches(town: Path) -> None:
    config = load_config(town)
    from gezondewijk.run.stages import read_study_area

    buurten = read_study_area(config.buurten).buurten
    grid = make_grid("hex", edge=100)
    own = split_buurten(buurten, 3)[0]
    halo = with_halo(shapely.STRtree(buurten.geometry.to_numpy()), own, grid)
    whole = build_cells(buurten, grid)
    cell = whole.pieces["cell"].to_numpy()
    touching_own = np.unique(cell[np.isin(whole.pieces["buurt"], own)])
    needed = np.unique(whole.pieces["buurt"][np.isin(cell, touching_own)])
    assert set(needed) <= set(halo)
    assert set(halo) - set(own)


def test_town_on_two_workers_equals_one_process(town: Path, cluster: Cluster) -> None:
    config = load_config(town)
    alone = build_map(config, stream=None)
    spread = build_map(config, stream=None, cluster=cluster)
    assert alone.differences(spread) == []
    assert "stabiel_p_top" in spread.buurten  # the draws ran on the workers
    assert spread.cell_values["distance_green_walk_m"].notna().all()  # along the network
    assert alone.notes == spread.notes
    # a change anywhere shows up: the comparison itself can fail
    spread.cell_values.loc[3, "score"] += 1
    assert alone.differences(spread) == ["cellen.score: 1 waarden anders"]


def test_real_gemeenten_on_two_workers_equal_one_process(cluster: Cluster, tmp_path: Path) -> None:
    buurten = shared_path("cbs-buurt-2019-national", "buurt_2019_gegeneraliseerd_national.topojson")
    rivm = shared_path("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv")
    no2 = shared_path("rivm-gcn-no2", "conc_no2_2021.asc")
    config = tmp_path / "kempen.toml"
    config.write_text(
        f'name = "Kempen"\npreset = "eindhoven-8"\nstability_draws = 10\n'
        f'[buurten]\npath = "{buurten}"\nyear = 2019\ngemeenten = {KEMPEN}\n'
        f'[[tables]]\nkind = "rivm"\npath = "{rivm}"\n'
        f'[[rasters]]\nvariable = "no2"\npath = "{no2}"\nyear = 2021\n'
        '[grid]\nkind = "hex"\nedge_m = 100\n',
        encoding="utf-8",
    )
    run = load_config(config)
    from gezondewijk.run.stages import read_study_area

    parts = split_buurten(read_study_area(run.buurten).buurten, 2)
    gemeenten = read_study_area(run.buurten).buurten["gemeentecode"].to_numpy()
    assert len(parts) == 2
    assert not set(gemeenten[parts[0]]) & set(gemeenten[parts[1]])  # whole gemeenten
    cluster.parts_per_worker = 1  # two parts of whole gemeenten (six gemeenten ≥ 2 × 2)
    try:
        alone = build_map(run, stream=None)
        spread = build_map(run, stream=None, cluster=cluster)
    finally:
        cluster.parts_per_worker = 4
    assert len(alone.cells) > 10_000
    assert alone.differences(spread) == []


def test_cli_on_a_local_cluster_writes_the_same_files(town: Path, tmp_path: Path) -> None:
    assert cli(["run", str(town), "--out", str(tmp_path / "a"), "--formats", "csv", "--quiet"]) == 0
    assert (
        cli(
            [
                "run",
                str(town),
                "--out",
                str(tmp_path / "b"),
                "--formats",
                "csv",
                "--quiet",
                "--workers",
                "2",
            ]
        )
        == 0
    )
    written = sorted(p.name for p in (tmp_path / "a").glob("*.csv"))
    assert "cellen.csv" in written and "buurten.csv" in written
    for name in written:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with (
        pytest.raises(ConfigError, match=r"tcp://127\.0\.0\.1:9 .*niet bereikbaar"),
        Cluster.connect("tcp://127.0.0.1:9", timeout="2s"),
    ):
        pass


def test_cli_refuses_zero_workers(town: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", str(town), "--workers", "0", "--quiet"]) != 0
    assert "--workers" in capsys.readouterr().err
