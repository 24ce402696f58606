"""The pieces the architecture split out: preset theme links, the run folder, shared rules."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gezondewijk.leefplekmeter.perception import perception_vs_data
from gezondewijk.leefplekmeter.themes import theme_keys
from gezondewijk.outputs import write_csv, write_geoparquet
from gezondewijk.outputs.folder import read_run_folder
from gezondewijk.run import MapResult
from gezondewijk.scoring import available_presets, load_preset
from gezondewijk.sources import is_numeric_column, table_kind
from tests.conftest import shared_path


def test_presets_link_only_to_leefplekmeter_themes() -> None:
    known = set(theme_keys())
    links = {
        (preset, theme)
        for preset in available_presets()
        for ind in load_preset(preset).indicators
        for theme in ind.leefplekmeter_themes
    }
    assert {theme for _, theme in links} <= known
    # eindhoven-8 links five themes, each to one indicator
    eindhoven = {t for p, t in links if p == "eindhoven-8"}
    assert eindhoven == {
        "natuur_groen",
        "voorzieningen",
        "verkeer_parkeren",
        "sociale_contacten",
        "wonen",
    }


def test_perception_by_hand() -> None:
    summary = pd.DataFrame(
        {"theme": ["natuur_groen", "voorzieningen", "wonen"], "norm_median": [0.9, 0.2, 0.5]}
    )
    buurten = pd.DataFrame(
        {
            "buurtcode": ["BU1", "BU2", "BU3"],
            "population": [1000.0, 3000.0, 5000.0],
            "groen_aan": [1.0, 0.0, 1.0],  # BU1, BU2: 1000 of 4000 → 0.25
            "voorz_aan": [0.0, 0.0, 1.0],  # 0 of 4000 → 0
            "dicht_aan": [np.nan, np.nan, 1.0],  # unknown for BU1 and BU2
        }
    )
    links = {
        "natuur_groen": ("groen", "Groen"),
        "voorzieningen": ("voorz", "Voorzieningen"),
        "wonen": ("dicht", "Dichtheid"),
        "onbekend_thema": ("groen", "Groen"),
    }
    rows = {r.theme: r for r in perception_vs_data(summary, buurten, ["BU1", "BU2"], links)}
    assert set(rows) == {"natuur_groen", "voorzieningen", "wonen"}
    # residents positive (0.9), data flag a quarter: agree
    assert rows["natuur_groen"].data_share == pytest.approx(0.25)
    assert rows["natuur_groen"].verdict == "eens" and not rows["natuur_groen"].disagrees
    # residents negative (0.2), data see no problem: residents more negative
    assert rows["voorzieningen"].verdict == "bewoners negatiever"
    assert rows["voorzieningen"].disagrees
    assert rows["wonen"].verdict == "onbekend" and not rows["wonen"].data_known


def test_run_folder_carries_the_preset_links(demo_result: MapResult, tmp_path: Path) -> None:
    write_geoparquet(demo_result, tmp_path)
    write_csv(demo_result, tmp_path)
    folder = read_run_folder(tmp_path)
    assert folder.theme_links() == demo_result.theme_links()
    assert folder.theme_links()["natuur_groen"] == "groen"
    assert folder.indicator_label("groen") == "Afstand tot groen"
    assert len(folder.joins()) == len(demo_result.joins)
    # read once per version of the folder: the same object until a file changes
    assert read_run_folder(tmp_path) is folder
    time.sleep(0.01)
    pd.DataFrame({"code": ["BU99990000"]}).to_csv(tmp_path / "verandering.csv", index=False)
    again = read_run_folder(tmp_path)
    assert again is not folder and again.change is not None


def test_one_rule_for_numeric_columns() -> None:
    assert is_numeric_column(pd.Series([1.5, 2.0]))
    assert is_numeric_column(pd.Series(["1,5", " 2 ", ".", "x"]))
    assert is_numeric_column(pd.Series(["1 234,5", "-", "3"]))
    assert not is_numeric_column(pd.Series(["Centrum", "Molenwijk", "3"]))
    # only symbols: a suppressed published column is numeric, an empty attribute is not
    assert is_numeric_column(pd.Series([".", "x", None]))
    assert not is_numeric_column(pd.Series([".", "x", None]), when_empty=False)


def test_table_kind_from_columns_not_file_name(tmp_path: Path) -> None:
    rivm = tmp_path / "tabel_a.csv"  # nothing in the name says RIVM
    pd.DataFrame(
        {"Codering_3": ["BU00000001"], "Eenzaam_27": ["40"], "Perioden": ["2022JJ00"]}
    ).to_csv(rivm, index=False)
    statline = tmp_path / "rivm_lookalike.csv"  # the name says RIVM, the columns do not
    pd.DataFrame({"Codering_3": ["BU00000001"], "AantalInwoners_5": ["1200"]}).to_csv(
        statline, index=False
    )
    assert table_kind(rivm) == "rivm"
    assert table_kind(statline) == "statline"
    published = shared_path("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv")
    assert table_kind(published) == "rivm"


def test_domain_exceptions_subclass_builtins_and_config_is_not_preset(tmp_path: Path) -> None:
    import gezondewijk._errors as errors
    from gezondewijk.settings import load_config
    from gezondewijk.web import WebSettings

    for name in dir(errors):
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, errors.GezondewijkError):
            if cls is errors.GezondewijkError:
                continue
            builtin = [b for b in cls.__mro__ if b.__module__ == "builtins" and b is not object]
            assert builtin != [Exception, BaseException], f"{name} subclasses no specific built-in"
    cfg = tmp_path / "c.toml"
    cfg.write_text('name = "x"\n[buurten]\npath = "b.geojson"\n[grid]\nedge_m = -5\n')
    with pytest.raises(errors.ConfigError) as caught:
        load_config(cfg)
    assert not isinstance(caught.value, errors.PresetError)
    with pytest.raises(errors.ConfigError):
        WebSettings.from_env(environment="production", secret_key="x" * 40)


def test_pictures_are_drawn_without_pyplot_state(demo_result: MapResult, tmp_path: Path) -> None:
    """Four threads draw at once (as threaded routes do); nothing lands in pyplot's state."""
    from concurrent.futures import ThreadPoolExecutor

    import matplotlib.pyplot as plt

    from gezondewijk.outputs import write_png_map

    before = plt.get_fignums()
    with ThreadPoolExecutor(4) as pool:
        paths = list(
            pool.map(lambda i: write_png_map(demo_result, tmp_path / f"{i}.png"), range(4))
        )
    sizes = {p.read_bytes()[:8] for p in paths}
    assert sizes == {b"\x89PNG\r\n\x1a\n"}
    assert plt.get_fignums() == before


def test_variables_are_data_validated_at_load() -> None:
    from gezondewijk._errors import ConfigError
    from gezondewijk.variables import KNOWN, load_variables

    assert KNOWN["lonely_pct"].kind == "intensive" and KNOWN["population"].kind == "extensive"
    assert KNOWN["distance_green_walk_m"].licence.startswith("ODbL")
    entry = (
        '[[variables]]\nkey = "x_pct"\nlabel = "X"\nlabel_en = "X"\nunit = "%"\n'
        'direction = "higher_is_worse"\nkind = "intensive"\nsource = "test"\n'
    )
    assert load_variables(entry)["x_pct"].unit == "%"
    with pytest.raises(ConfigError, match=r"variables\.0\.direction"):
        load_variables(entry.replace("higher_is_worse", "lower"))
    with pytest.raises(ConfigError, match="'x_pct' occurs twice"):
        load_variables(entry + "\n" + entry)
    with pytest.raises(ConfigError, match="walk_twins names 'y_m'"):
        load_variables('walk_twins = ["y_m"]\n' + entry)


def test_chart_axes_use_dutch_numbers() -> None:
    from gezondewijk.reports.charts import _dutch_number

    assert [_dutch_number(v) for v in (-0.2, 0.85, 3.0)] == ["\u22120,2", "0,85", "3"]
