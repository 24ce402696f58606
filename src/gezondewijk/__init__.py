"""gezondewijk: stacked health maps for Dutch neighbourhoods (GezondIn).

Data flows one way: :mod:`~gezondewijk.sources` → :mod:`~gezondewijk.areas` and
:mod:`~gezondewijk.indicators` → :mod:`~gezondewijk.scoring` → :mod:`~gezondewijk.outputs`,
orchestrated by :func:`~gezondewijk.run.build_map`.
"""

from gezondewijk._errors import (
    AssetMissingError,
    ConfigError,
    GezondewijkError,
    GridError,
    InputDataError,
    InputDataErrors,
    OutputError,
    PresetError,
)

__version__ = "0.1.0"

__all__ = [
    "AssetMissingError",
    "ConfigError",
    "GezondewijkError",
    "GridError",
    "InputDataError",
    "InputDataErrors",
    "OutputError",
    "PresetError",
    "__version__",
]
