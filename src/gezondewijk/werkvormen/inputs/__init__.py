"""The kinds of step input of the work forms, one module each (see :mod:`.base`).

Every module of this package registers its kinds when the package loads, so a new kind
is one module here and one template ``web/templates/inputs/<key>.html``.
"""

from __future__ import annotations

import importlib
import pkgutil

from gezondewijk.werkvormen.inputs.base import (
    MAX_SHORT,
    MAX_TEXT,
    Arrangement,
    EntryIn,
    EntryLike,
    FormState,
    InputKind,
    Item,
    ParseContext,
    WorkshopSource,
    registered,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def input_kinds() -> dict[str, InputKind]:
    """Every kind of step input, by key."""
    return registered()


def input_kind(key: str) -> InputKind:
    """The kind of step input called ``key``.

    Raises
    ------
    KeyError
        Naming the kinds there are.
    """
    try:
        return registered()[key]
    except KeyError:
        raise KeyError(f"no input kind '{key}'; there are: {', '.join(registered())}") from None


__all__ = [
    "MAX_SHORT",
    "MAX_TEXT",
    "Arrangement",
    "EntryIn",
    "EntryLike",
    "FormState",
    "InputKind",
    "Item",
    "ParseContext",
    "WorkshopSource",
    "input_kind",
    "input_kinds",
]
