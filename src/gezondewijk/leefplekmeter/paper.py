"""What the printable paper form and the empty spider-web sheet show.

Both are printed like every other PDF of the app: an HTML page (``paper_form.html``,
``spider_sheet.html``) through headless Chromium (:mod:`gezondewijk.reports.pdf`), so the
paper form uses the same wording, faces and about-you questions as the web form, and the
empty spider web is the very chart residents see on screen (:func:`spider_svg`).
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

from gezondewijk.leefplekmeter.spider import spider_svg
from gezondewijk.leefplekmeter.themes import SCALES, Scale, Theme, addresses_informally, themes

#: Themes per printed page (14 themes: 3 pages, the last with the questions about you).
PER_PAGE = 5


@dataclass(frozen=True)
class PaperForm:
    """Everything the paper form prints."""

    title: str
    intro: str
    code: str
    url: str
    variant: str
    scale: Scale
    language: str
    qr_svg: str
    pages: list[list[Theme]]
    areas: list[tuple[str, str]]
    group: bool

    @property
    def informal(self) -> bool:
        """Youth and children's variants say "je", the others "u"."""
        return addresses_informally(self.variant)

    @property
    def faces(self) -> bool:
        """The children's 3-point scale is printed as faces."""
        return self.scale.key == "kind3"


def paper_form(
    title: str,
    intro: str,
    code: str,
    url: str,
    variant: str,
    scale_key: str,
    language: str = "nl",
    areas: list[tuple[str, str]] | None = None,
    group: bool = False,
) -> PaperForm:
    """The paper form of a campaign: themes in pages of :data:`PER_PAGE`, QR code, buurten."""
    ts = list(themes())
    qr = segno.make(url, error="m").svg_inline(scale=3, title=f"QR-code {url}")
    return PaperForm(
        title=title,
        intro=intro,
        code=code,
        url=url,
        variant=variant,
        scale=SCALES[scale_key],
        language=language,
        qr_svg=qr,
        pages=[ts[i : i + PER_PAGE] for i in range(0, len(ts), PER_PAGE)],
        areas=areas or [],
        group=group,
    )


def empty_spider_svg(title: str, language: str = "nl") -> str:
    """The empty spider web (rings and a spoke per theme) for groups to draw on."""
    return spider_svg([], title=title, language=language, size=680, empty=True)
