"""Follow a service's "next page" links to the end, refusing a link that repeats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gezondewijk._errors import InputDataError
from gezondewijk.fetch.http import Downloader


def all_pages(
    dl: Downloader,
    url: str,
    params: dict[str, str],
    *,
    items: str,
    next_link: Callable[[dict[str, Any]], str | None],
    service: str,
) -> list[dict[str, Any]]:
    """Every item of every page, starting at ``url`` with ``params``.

    Parameters
    ----------
    items
        The member of a page that holds its list (``features``, ``value``).
    next_link
        The address of the next page in a page, or ``None`` on the last one; it carries its
        own query.
    service
        Name for messages (``PDOK``, ``StatLine``) and the setting that moves it.

    Raises
    ------
    InputDataError
        When a page is not the expected JSON, or a next link was visited before (a cursor
        that repeats would otherwise loop for ever).
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    next_url: str | None = url
    query: dict[str, str] | None = params
    while next_url is not None:
        page = dl.get_json(next_url, query)
        if not isinstance(page, dict) or not isinstance(page.get(items), list):
            raise InputDataError(
                f"het antwoord van {service} heeft geen '{items}'-lijst.",
                path=next_url,
                fix="controleer het adres van de dienst of probeer het later opnieuw.",
            )
        rows.extend(page[items])
        seen.add(next_url)
        link = next_link(page)
        if link is not None and link in seen:
            raise InputDataError(
                f"{service} verwijst steeds naar dezelfde volgende pagina ({link}).",
                path=url,
                fix="probeer het later opnieuw; de paginering van de server hapert.",
            )
        next_url, query = link, None
    return rows
