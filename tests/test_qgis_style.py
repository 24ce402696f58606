"""The run's GeoPackage carries QGIS styles: the stacked score by default, one per indicator."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from gezondewijk.outputs.qgis_style import run_styles, write_layer_styles
from gezondewijk.palette import score_palette
from gezondewijk.run import MapResult
from gezondewijk.scoring.stack import quantile_threshold

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-qgis binds to the system Python


def _styles(gpkg: Path) -> pd.DataFrame:
    with sqlite3.connect(gpkg) as db:
        return pd.read_sql("SELECT * FROM layer_styles", db)


def _ranges(qml: str) -> list[tuple[float, float, str]]:
    root = ElementTree.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    return [
        (float(r.get("lower", "nan")), float(r.get("upper", "nan")), r.get("label", ""))
        for r in root.iter("range")
    ]


def test_the_score_is_the_default_style_of_both_map_layers(
    map_dir: Path, demo_result: MapResult
) -> None:
    styles = _styles(map_dir / "gezondewijk.gpkg")
    defaults = styles[styles["useAsDefault"] == 1]
    assert sorted(defaults["f_table_name"]) == ["buurten", "cellen"]
    assert set(defaults["f_geometry_column"]) == {"geom"}  # as the layers are written
    n = len(demo_result.preset.indicators)
    for qml in defaults["styleQML"]:
        renderer = ElementTree.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
        assert renderer is not None
        assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", "score")
        values = [c.get("value") for c in renderer.iter("category")]
        assert values == [*map(str, range(n + 1)), ""]  # 0 … n, then "no score"
        labels = [c.get("label") for c in renderer.iter("category")]
        assert labels[2] == f"2 van {n} indicatoren boven de drempel"
        colours = [o.get("value") for o in renderer.iter("Option") if o.get("name") == "color"]
        expected = [
            ",".join(str(int(score_palette(n)[k][i : i + 2], 16)) for i in (1, 3, 5)) + ",255"
            for k in range(n + 1)
        ]
        assert colours[: n + 1] == expected  # the viewer's colours
    for sld in styles["styleSLD"]:
        ElementTree.fromstring(sld.split("\n", 1)[1])  # well-formed SLD


def test_each_indicator_is_graduated_on_its_threshold_with_its_source(
    map_dir: Path, demo_result: MapResult
) -> None:
    styles = _styles(map_dir / "gezondewijk.gpkg")
    thresholds = pd.read_csv(map_dir / "drempels.csv")
    fixed = thresholds[(thresholds["optie"] == 1) & thresholds["drempel"].notna()]
    cells = styles[styles["f_table_name"] == "cellen"].set_index("styleName")
    checked = 0
    for row in fixed.itertuples():
        if row.variabele not in demo_result.cell_values:
            continue  # the demo has no PM2.5 grid: no style for a variable without data
        name = next(
            n
            for n in cells.index
            if n.startswith(str(row.label))
            and (n == row.label or demo_result.variables[row.variabele].label in n)
        )
        ranges = _ranges(cells.loc[name, "styleQML"])
        assert len(ranges) == 4
        assert ranges[1][1] == pytest.approx(row.drempel) == ranges[2][0]  # the middle break
        assert str(row.bron_drempel) in cells.loc[name, "description"]
        values = demo_result.cell_values[row.variabele].dropna()
        assert ranges[0][0] <= values.min() and ranges[-1][1] >= values.max()
        checked += 1
    assert checked >= 5
    # a quantile rule: the layer's own cut-off, as the scoring computes it
    ses = cells.loc["Sociaaleconomische status (SES-WOA)"]
    part = next(i for i in demo_result.preset.indicators if i.key == "ses").options[0].parts[0]
    cut = quantile_threshold(part, demo_result.cell_values["ses_woa"].to_numpy(dtype="float64"))
    assert _ranges(ses["styleQML"])[1][1] == pytest.approx(cut)
    assert "slechtste 20 % van de cellen" in ses["description"]
    # higher is better: the side below the threshold is the one that counts
    health = _ranges(cells.loc["Ervaren gezondheid", "styleQML"])
    assert "onder de drempel: telt mee" in health[0][2]
    assert health[3][2].endswith("(boven de drempel)")


def test_writing_again_replaces_the_styles(
    map_dir: Path, demo_result: MapResult, tmp_path: Path
) -> None:
    gpkg = tmp_path / "copy.gpkg"
    shutil.copy(map_dir / "gezondewijk.gpkg", gpkg)
    before = len(_styles(gpkg))
    assert write_layer_styles(gpkg, run_styles(demo_result)) == before
    assert len(_styles(gpkg)) == before
    with sqlite3.connect(gpkg) as db:
        kind = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    assert kind == ("attributes",)


def _qgis_available() -> bool:
    if shutil.which("qgis_process") is None or not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(
    not _qgis_available(), reason="QGIS is not installed here (make bench installs it)"
)
def test_qgis_opens_the_layers_styled(map_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "open.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, sys
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            from qgis.core import QgsApplication, QgsVectorLayer
            app = QgsApplication([], False)
            app.initQgis()
            for name in ("buurten", "cellen"):
                layer = QgsVectorLayer(f"{sys.argv[1]}|layername={name}", name, "ogr")
                renderer = layer.renderer()
                count, ids, names, _, _ = layer.listStylesInDatabase()
                print(name, layer.isValid(), renderer.type(), renderer.classAttribute(),
                      len(renderer.categories()), count)
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [SYSTEM_PYTHON, str(script), str(map_dir / "gezondewijk.gpkg")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines() if line.strip()]
    styles = _styles(map_dir / "gezondewijk.gpkg")
    for name, valid, kind, attr, categories, count in lines:
        assert (valid, kind, attr) == ("True", "categorizedSymbol", "score"), name
        assert int(categories) == 10  # 0 … 8 and "no score"
        assert int(count) == int((styles["f_table_name"] == name).sum())
    assert np.array([line[0] for line in lines]).tolist() == ["buurten", "cellen"]
