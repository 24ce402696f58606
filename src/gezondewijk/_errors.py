"""Domain exceptions of gezondewijk.

Every exception subclasses a built-in so callers can catch it the usual way, and every
message says what is wrong, where (file, row, field) and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError


class GezondewijkError(Exception):
    """Base class of every gezondewijk error."""


class InputDataError(GezondewijkError, ValueError):
    """An input file cannot be used as it is.

    Parameters
    ----------
    problem
        What is wrong, in one sentence.
    path
        The file the problem is in.
    row
        The 1-based data row (not counting the header), where one row is at fault.
    field
        The column, property or key at fault.
    fix
        How the user can fix the file or the call.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = None if path is None else Path(path)
        self.row = row
        self.field = field
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"bestand/file {self.path}")
        if self.row is not None:
            where.append(f"rij/row {self.row}")
        if self.field is not None:
            where.append(f"veld/field '{self.field}'")
        text = self.problem
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.fix:
            text = f"{text} Oplossing/fix: {self.fix}"
        return text


class InputDataErrors(InputDataError):  # noqa: N818 - a list of InputDataError
    """Several problems in one input, collected and reported at once.

    Parameters
    ----------
    errors
        The individual problems, each an :class:`InputDataError`.
    """

    def __init__(self, errors: Iterable[InputDataError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  - {e}" for e in self.errors)
        first = self.errors[0] if self.errors else None
        GezondewijkError.__init__(self, f"{len(self.errors)} problemen in de invoer:\n{lines}")
        self.problem = str(self)
        self.path = first.path if first else None
        self.row = first.row if first else None
        self.field = first.field if first else None
        self.fix = None


class PresetError(GezondewijkError, ValueError):
    """A scoring preset is invalid or unknown; the message names the key and the fix."""


class ConfigError(GezondewijkError, ValueError):
    """A run configuration, web setting or command-line value is invalid or unsafe.

    The message names the key (or option) and the fix.
    """


class AssetMissingError(GezondewijkError, FileNotFoundError):
    """A front-end asset (Leaflet, Swagger UI…) was not built; the message names the command."""


class OutputError(GezondewijkError, OSError):
    """An output file could not be written."""


class GridError(GezondewijkError, ValueError):
    """A grid cannot be built with the given parameters."""


class SourceUnavailableError(GezondewijkError, ConnectionError):
    """An online source could not be reached or kept failing.

    The message names the URL, what went wrong, and how to go on (try later, or ``--offline``
    with what the cache holds).
    """


class NotCachedError(GezondewijkError, FileNotFoundError):
    """``--offline`` was asked and a file is not in the cache.

    The message names the file and where to get it.
    """


def validation_problems(exc: ValidationError) -> str:
    """A pydantic error as one line: ``key.path: message; …``, for a file's error message."""
    return "; ".join(
        f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
