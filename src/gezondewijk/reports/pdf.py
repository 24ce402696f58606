"""Print an HTML page to PDF with headless Chromium (Debian ``chromium``, via Playwright)."""

from __future__ import annotations

from pathlib import Path

from gezondewijk._errors import GezondewijkError

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def html_to_pdf(html: str, chromium: str = "/usr/bin/chromium") -> bytes:
    """Render self-contained HTML (inline CSS, data-URI images) to an A4 PDF.

    Raises
    ------
    GezondewijkError
        When Chromium is not installed, naming how to install it.
    """
    if not Path(chromium).exists():
        raise GezondewijkError(
            f"Chromium not found at {chromium}; install it with "
            "'apt-get install chromium' (make system-deps) to make PDFs."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            return bytes(
                page.pdf(
                    format="A4",
                    print_background=True,
                    margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                )
            )
        finally:
            browser.close()
