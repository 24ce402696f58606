from __future__ import annotations

import os
from pathlib import Path

import pytest

from gezondewijk.demo import make_synthetic_town, write_synthetic_inputs
from gezondewijk.pipeline import MapResult, build_map
from gezondewijk.settings import load_config

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A file in ../shared/data; skip where absent (own clone), fail where CI=true."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"real data not found at {path} (clone the project next to shared/)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    return write_synthetic_inputs(make_synthetic_town(), folder / "invoer")


@pytest.fixture(scope="session")
def demo_result(demo_config: Path) -> MapResult:
    return build_map(load_config(demo_config), stream=None)
