"""Print HTML pages to PDF with headless Chromium (Debian ``chromium``, via Playwright).

:func:`html_to_pdf` prints one page with a Chromium of its own (CLI, scripts). The web app uses
:class:`PdfQueue`: one worker thread with one Chromium kept open, a bounded queue in front of
it and a cache of finished PDFs, so that many visitors asking for fact sheets at once cannot
start a browser each (6 at once took 8–12 s each and unbounded memory).
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from gezondewijk._errors import PdfBusyError, PdfUnavailableError

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_MARGIN = {"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}


def _check(chromium: str) -> None:
    if not Path(chromium).exists():
        raise PdfUnavailableError(
            f"Chromium niet gevonden op {chromium}: installeer het met 'apt-get install "
            "chromium' (make system-deps) om PDF's te maken. / Chromium not found."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - playwright is a dependency
        raise PdfUnavailableError(
            "Playwright ontbreekt: installeer het pakket 'playwright' (pip install playwright) "
            "om PDF's te maken. / Playwright is missing."
        ) from exc


def _print(browser: Any, html: str) -> bytes:
    page = browser.new_page()
    try:
        page.set_content(html, wait_until="load")
        return bytes(page.pdf(format="A4", print_background=True, margin=_MARGIN))
    finally:
        page.close()


def html_to_pdf(html: str, chromium: str = "/usr/bin/chromium") -> bytes:
    """Render self-contained HTML (inline CSS, data-URI images) to an A4 PDF.

    Raises
    ------
    PdfUnavailableError
        When Chromium or Playwright is not installed, naming how to install it.
    """
    _check(chromium)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            return _print(browser, html)
        finally:
            browser.close()


class PdfQueue:
    """One Chromium, a bounded queue in front of it, and a cache of the PDFs it made.

    Parameters
    ----------
    chromium
        Path of the Chromium executable.
    max_waiting
        Requests that may wait at once; one more raises :class:`PdfBusyError` at once.
    cache_size
        PDFs kept (least recently used dropped first), keyed on the SHA-256 of the page's
        HTML: a PDF depends on nothing else (images are data URIs), so the key changes exactly
        when the run, the page or the residents' answers shown on it change.

    Notes
    -----
    Playwright's sync API must stay on the thread that started it, so one worker thread owns
    the browser and renders the jobs in order; callers wait on a future.
    """

    def __init__(self, chromium: str, max_waiting: int = 4, cache_size: int = 64) -> None:
        self.chromium = chromium
        self.max_waiting = max_waiting
        self.cache_size = cache_size
        self.rendered = 0
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._jobs: queue.Queue[tuple[str, Future[bytes]] | None] = queue.Queue(maxsize=max_waiting)
        self._worker: threading.Thread | None = None

    def render(self, html: str, timeout_s: float = 120) -> bytes:
        """The PDF of ``html``: from the cache, or printed by the worker (blocking).

        Raises
        ------
        PdfBusyError
            When ``max_waiting`` requests are already waiting.
        PdfUnavailableError
            When Chromium or Playwright is missing.
        """
        key = hashlib.sha256(html.encode()).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        _check(self.chromium)
        self._start()
        future: Future[bytes] = Future()
        try:
            self._jobs.put_nowait((html, future))
        except queue.Full:
            raise PdfBusyError(retry_after=10) from None
        pdf = future.result(timeout=timeout_s)
        with self._lock:
            self._cache[key] = pdf
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return pdf

    def _start(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="pdf", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = None
            while True:
                job = self._jobs.get()
                if job is None:
                    break
                html, future = job
                try:
                    if browser is None or not browser.is_connected():
                        browser = pw.chromium.launch(
                            executable_path=self.chromium, args=ARGS, headless=True
                        )
                    future.set_result(_print(browser, html))
                    self.rendered += 1
                except Exception as exc:
                    future.set_exception(exc)
            if browser is not None:
                browser.close()

    def close(self) -> None:
        """Stop the worker and its browser (waits for the job in hand)."""
        worker = self._worker
        if worker is not None and worker.is_alive():
            try:
                self._jobs.put(None, timeout=30)
            except queue.Full:
                return
            worker.join(timeout=30)
