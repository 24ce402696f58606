"""Domain exceptions of gezondewijk.

Every exception subclasses a built-in so callers can catch it the usual way, and every
message says what is wrong, where (file, row, field) and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError


class GezondewijkError(Exception):
    """Base class of every gezondewijk error.

    A web request that meets one answers with its :attr:`status_code` (500: not meant for a
    visitor, whose answer then says nothing of the inside) and, where trying again later may
    work, a ``Retry-After`` of :attr:`retry_after` seconds (``gezondewijk.web.errors``).
    """

    #: HTTP status of a web request that meets this error.
    status_code: int = 500
    #: Seconds after which trying again may work (``Retry-After``), where that applies.
    retry_after: int | None = None

    def problems(self) -> list[dict[str, str]]:
        """The problems to list in the error answer, each ``field``, ``problem``, ``fix``."""
        return []

    def public_message(self) -> str:
        """What the error answer says (the message itself, unless the class says otherwise)."""
        return str(self)


class InputDataError(GezondewijkError, ValueError):
    """An input file cannot be used as it is (a web request: 422 with every problem).

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


class BusyError(GezondewijkError, RuntimeError):
    """Too many at once: answered with 503 and ``Retry-After`` (seconds)."""

    status_code = 503

    def __init__(self, message: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PdfBusyError(BusyError):
    """The PDF queue is full; try again after :attr:`retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Er worden nu te veel PDF's gemaakt; probeer het over {retry_after} seconden "
            "opnieuw. / Too many PDFs at once; try again shortly.",
            retry_after,
        )


class PdfUnavailableError(GezondewijkError, RuntimeError):
    """PDFs cannot be made here (no Chromium or Playwright); the message says what to install."""

    status_code = 503


class BasePreparationError(GezondewijkError, RuntimeError):
    """The run could not be prepared for scenarios (its configuration or data has a problem)."""

    status_code = 503


class ScenarioExistsError(GezondewijkError, FileExistsError):
    """A new scenario would overwrite another one of the same name."""

    status_code = 409


class CampaignGoneError(GezondewijkError, LookupError):
    """The campaign was deleted while a resident had its form open; nothing is stored."""

    status_code = 404

    def public_message(self) -> str:
        """The same words for every resident, whichever campaign it was."""
        return (
            "Deze campagne bestaat niet meer; er is niets opgeslagen. / "
            "This campaign no longer exists; nothing was stored."
        )


class TokenUsedElsewhereError(GezondewijkError, ValueError):
    """A form token was already used in another campaign; nothing is stored or returned."""

    status_code = 409

    def problems(self) -> list[dict[str, str]]:
        """The form token is the field at fault; loading the form again is the fix."""
        return [
            {
                "field": "form_token",
                "problem": "dit formulier hoort bij een andere campagne / "
                "token of another campaign",
                "fix": "laad het formulier opnieuw / load the form again",
            }
        ]


class PhotoLimitError(GezondewijkError, OverflowError):
    """A campaign holds its maximum of photos already."""

    status_code = 409


class WorkshopRuleError(GezondewijkError, PermissionError):
    """A change the rules of the workshop do not allow (closed step, someone else's input).

    The message is Dutch, for the person who tried.
    """

    #: A conflict with the workshop's state (closed, full).
    status_code = 409


class NotYourInputError(WorkshopRuleError):
    """Someone tried to change another person's input."""

    status_code = 403


def validation_problems(exc: ValidationError) -> str:
    """A pydantic error as one line: ``key.path: message; …``, for a file's error message."""
    return "; ".join(
        f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
