"""HTTP for the connectors: retries with backoff, a file cache, offline mode, provenance.

Written on httpx rather than taken from a publisher's client (``cbsodata`` for StatLine, OWSLib
for OGC services) because every connector needs the same things none of those clients do
together: retries that honour ``Retry-After`` on 429 and back off on time-outs and 5xx, a
check that the whole body arrived, atomic writes into a cache with a provenance record per file,
conditional requests (``If-None-Match`` / ``If-Modified-Since``) on refresh, and an offline mode
that names the missing file. The paging of each service is a few lines in its own module.
"""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from gezondewijk import __version__
from gezondewijk._errors import NotCachedError, SourceUnavailableError
from gezondewijk._progress import Progress
from gezondewijk.provenance import (
    Provenance,
    atomic_write,
    provenance_of,
    read_sidecar,
    sidecar_of,
    write_sidecar,
)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
Params = httpx.QueryParams | Mapping[str, str] | list[tuple[str, str]] | None
USER_AGENT = f"gezondewijk/{__version__} (+https://github.com/gezondewijk/gezondewijk)"


class NotFound(SourceUnavailableError):  # noqa: N818 - an HTTP 404, named as HTTP names it
    """The server answered 404: the table, collection or year does not exist (any more)."""


class Refused(SourceUnavailableError):  # noqa: N818 - an HTTP 400, named as HTTP names it
    """The server answered 400: it does not take the request as asked.

    PDOK's OGC API (GoKoala) answers 400 to a query parameter it does not know, such as a
    property filter the collection does not offer (``unknown query parameter(s) found:
    gemeentecode``, an RFC 7807 problem). Callers that can ask another way catch this.

    Attributes
    ----------
    detail
        The server's own explanation (the problem's ``detail``, else the start of the body).
    """

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass
class Fetched:
    """A file in the cache and where it came from."""

    path: Path
    provenance: Provenance
    from_cache: bool


class Downloader:
    """Fetch files and JSON with retries, into a cache, with provenance.

    Parameters
    ----------
    cache
        Folder of the cache; each connector uses a subfolder.
    offline
        Use only what the cache holds; a missing file raises :class:`NotCachedError`.
    refresh
        Ask the server again for cached files (conditionally, where it sent validators).
    retries
        Attempts per request before giving up.
    backoff
        First wait in seconds; doubled after every failed attempt (1, 2, 4, 8…).
    max_wait
        Longest single wait; a ``Retry-After`` beyond it is reported instead of waited for.
    timeout
        Seconds to wait for the server per request.
    sleep
        The waiting function (tests pass one that records the waits).
    progress
        Where retries are reported.
    client
        An httpx client to use instead of a new one.
    """

    def __init__(
        self,
        cache: Path,
        *,
        offline: bool = False,
        refresh: bool = False,
        retries: int = 5,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.cache = Path(cache)
        self.offline = offline
        self.refresh = refresh
        self.retries = max(1, retries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.progress = progress
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------------
    def get(
        self, url: str, params: Params = None, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """GET with retries; 304 and 2xx are returned, 404 raises :class:`NotFound`.

        Raises
        ------
        SourceUnavailableError
            After ``retries`` failed attempts, on another 4xx, or when the server asks to wait
            longer than ``max_wait``.
        """
        if self.offline:
            raise NotCachedError(f"--offline: {url} wordt niet opgevraagd.")
        problem = ""
        query = None if params is None else httpx.QueryParams(params)  # type: ignore[arg-type]
        for attempt in range(self.retries):
            wait = self.backoff * 2**attempt
            try:
                response = self.client.get(url, params=query, headers=headers)
                _check_complete(response)
            except httpx.TimeoutException:
                problem = "geen antwoord binnen de tijd (time-out)"
            except (httpx.RemoteProtocolError, httpx.ReadError, _TruncatedError) as exc:
                problem = f"antwoord afgebroken ({exc})"
            except httpx.TransportError as exc:
                problem = f"geen verbinding ({exc})"
            else:
                code = response.status_code
                if code == 404:
                    raise NotFound(f"{response.url}: bestaat niet (HTTP 404).")
                if code == 400:
                    detail = _problem_detail(response)
                    raise Refused(f"{response.url}: geweigerd (HTTP 400: {detail}).", detail)
                if code not in RETRY_STATUS:
                    if code >= 400:
                        raise SourceUnavailableError(
                            f"{response.url}: HTTP {code} ({response.text[:200].strip()}). "
                            "Oplossing/fix: controleer de gemeentecode en het jaar."
                        )
                    return response
                problem = f"HTTP {code}"
                asked = _retry_after(response)
                if asked is not None:
                    if asked > self.max_wait:
                        raise SourceUnavailableError(
                            f"{url}: de server vraagt {asked:.0f} s te wachten (HTTP {code}, "
                            "Retry-After). Oplossing/fix: probeer het later opnieuw."
                        )
                    wait = asked
            if attempt + 1 < self.retries:
                wait = min(wait, self.max_wait)
                if self.progress is not None:
                    self.progress.note(f"{_short(url)}: {problem}; opnieuw over {wait:.0f} s")
                self.sleep(wait)
        raise SourceUnavailableError(
            f"{url}: na {self.retries} pogingen niet gelukt ({problem}). Oplossing/fix: probeer "
            "het later opnieuw, of gebruik --offline met wat eerder is opgehaald."
        )

    def get_json(self, url: str, params: Params = None) -> Any:
        """GET and parse JSON, retrying a body that does not parse (a cut-off response).

        Raises
        ------
        SourceUnavailableError
            When the body is still not valid JSON after the retries.
        """
        problem = ""
        for attempt in range(self.retries):
            response = self.get(url, params)
            try:
                return response.json()
            except ValueError as exc:
                problem = f"geen geldige JSON ({exc})"
            if attempt + 1 < self.retries:
                self.sleep(min(self.backoff * 2**attempt, self.max_wait))
        raise SourceUnavailableError(f"{url}: {problem}. Oplossing/fix: probeer het later opnieuw.")

    # -- cache ----------------------------------------------------------------------------
    def cached(self, path: Path, *, where: str) -> Fetched | None:
        """A cached file with a matching provenance record, or ``None`` (or an error offline).

        Raises
        ------
        NotCachedError
            Offline, when the file is not in the cache; names the file and ``where`` to get it.
        """
        record = read_sidecar(path)
        if record is not None and not self.refresh:
            return Fetched(path, record, from_cache=True)
        if self.offline:
            if record is not None:
                return Fetched(path, record, from_cache=True)
            damaged = sidecar_of(path).is_file()  # a record that no longer matches the file
            if path.is_file() and not damaged:  # put there by hand, as the message asks
                return Fetched(path, provenance_of(path, what="zelf in de cache gezet"), True)
            raise NotCachedError(
                f"--offline: {path} staat niet (volledig) in de cache. Haal het op zonder "
                f"--offline, of download het zelf: {where}"
            )
        return None

    def keep(self, path: Path, record: Provenance) -> Fetched:
        """The server answered 304 Not Modified: keep the cached file, note when it was asked."""
        record.opgehaald = now_utc()
        if "ongewijzigd bij de bron (HTTP 304)" not in record.notes:
            record.notes = [*record.notes, "ongewijzigd bij de bron (HTTP 304)"]
        write_sidecar(path, record)
        return Fetched(path, record, from_cache=True)

    def adopt(self, written: Path, path: Path, record: Provenance) -> Fetched:
        """Move a file written in full beside ``path`` into place, with its record.

        For files a library writes itself (a GeoPackage): ``written`` must be in the same
        folder, so that the rename is atomic.
        """
        os.replace(written, path)
        return self._recorded(path, record)

    def store(self, path: Path, data: bytes, record: Provenance) -> Fetched:
        """Write a fetched file atomically with its provenance record."""
        atomic_write(path, data)
        return self._recorded(path, record)

    def _recorded(self, path: Path, record: Provenance) -> Fetched:
        record.opgehaald = record.opgehaald or now_utc()
        write_sidecar(path, record)
        return Fetched(path, record, from_cache=False)

    def fetch_file(
        self, url: str, path: Path, record: Provenance, params: Params = None
    ) -> Fetched:
        """Download one resource into ``path`` unless cached; conditional on refresh.

        With ``refresh``, a cached file whose server sent an ``ETag`` or ``Last-Modified`` is
        asked for with ``If-None-Match`` / ``If-Modified-Since``; a 304 keeps the cached file.
        """
        hit = self.cached(path, where=url)
        if hit is not None and not self.refresh:
            return hit
        old = read_sidecar(path)
        response = self.get(url, params, headers=conditional_headers(old))
        if response.status_code == 304 and old is not None:
            return self.keep(path, old)
        record.url = str(response.url)
        record.etag = response.headers.get("ETag")
        record.last_modified = response.headers.get("Last-Modified")
        return self.store(path, response.content, record)


def conditional_headers(old: Provenance | None) -> dict[str, str] | None:
    """``If-None-Match`` / ``If-Modified-Since`` from a cached file's record, if it has them."""
    if old is None:
        return None
    headers = {}
    if old.etag:
        headers["If-None-Match"] = old.etag
    if old.last_modified:
        headers["If-Modified-Since"] = old.last_modified
    return headers or None


class _TruncatedError(Exception):
    """The body is shorter than the Content-Length the server announced."""


def _check_complete(response: httpx.Response) -> None:
    announced = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding")
    if announced and not encoded and announced.isdigit() and len(response.content) < int(announced):
        raise _TruncatedError(f"{len(response.content)} van {announced} bytes")


def _problem_detail(response: httpx.Response) -> str:
    """The ``detail`` of an RFC 7807 problem (as GoKoala sends), else the body's start."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])[:300]
    return response.text[:200].strip()


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _short(url: str) -> str:
    return url if len(url) < 90 else url[:87] + "…"


def now_utc() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def dumps(data: object) -> bytes:
    """JSON as UTF-8 bytes, for files the connectors assemble from pages."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
