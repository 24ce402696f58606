"""Printable A4 paper form and an empty spider-web sheet (PDF), with the campaign's QR code."""

from __future__ import annotations

import textwrap
from io import BytesIO

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import segno
from matplotlib.backends.backend_pdf import PdfPages

from gezondewijk.leefplekmeter.themes import SCALES, themes

A4 = (8.27, 11.69)


def qr_matrix(url: str) -> np.ndarray:
    """The QR code of ``url`` as a 0/1 matrix (segno)."""
    qr = segno.make(url, error="m")
    return np.array(list(qr.matrix), dtype=float)


def paper_form_pdf(
    title: str,
    intro: str,
    code: str,
    url: str,
    variant: str,
    scale_key: str,
    language: str = "nl",
) -> bytes:
    """An A4 form with every theme, its question, the scale boxes and room for comments."""
    scale = SCALES[scale_key]
    ts = themes()
    buffer = BytesIO()
    per_page = 5
    with PdfPages(buffer) as pdf:
        for page, start in enumerate(range(0, len(ts), per_page)):
            fig = plt.figure(figsize=A4)
            fig.text(0.06, 0.965, title, fontsize=15, weight="bold", va="top")
            fig.text(0.06, 0.94, f"Leefplekmeter — code {code} — {url}", fontsize=9, va="top")
            if page == 0:
                fig.text(0.06, 0.915, "\n".join(textwrap.wrap(intro, 95)[:3]), fontsize=9, va="top")
                ax = fig.add_axes((0.83, 0.88, 0.11, 0.09))
                ax.imshow(1 - qr_matrix(url), cmap="gray", interpolation="nearest")
                ax.set_axis_off()
            low, high = scale.anchors[language]
            y = 0.85
            for theme in ts[start : start + per_page]:
                fig.text(0.06, y, theme.name[language], fontsize=12, weight="bold", va="top")
                fig.text(
                    0.06,
                    y - 0.022,
                    textwrap.fill(theme.question(variant, language), 95),
                    fontsize=9,
                    va="top",
                )
                points = scale.points()
                for k, p in enumerate(points):
                    x = 0.06 + k * 0.062
                    fig.patches.append(
                        plt.Rectangle(
                            (x, y - 0.085),
                            0.035,
                            0.025,
                            fill=False,
                            transform=fig.transFigure,
                            lw=1,
                        )
                    )
                    fig.text(x + 0.0175, y - 0.093, str(p), fontsize=8, ha="center", va="top")
                dk = 0.06 + len(points) * 0.062
                fig.patches.append(
                    plt.Rectangle(
                        (dk, y - 0.085), 0.035, 0.025, fill=False, transform=fig.transFigure, lw=1
                    )
                )
                fig.text(
                    dk + 0.04,
                    y - 0.072,
                    "weet ik niet" if language == "nl" else "don't know",
                    fontsize=8,
                    va="center",
                )
                fig.text(0.06, y - 0.107, f"{low}   …   {high}", fontsize=7, va="top")
                for label, dy in (
                    ("Wat gaat goed?" if language == "nl" else "What works well?", 0.125),
                    ("Wat kan beter?" if language == "nl" else "What could be better?", 0.145),
                ):
                    fig.text(0.06, y - dy, label + " " + "." * 110, fontsize=8, va="top")
                y -= 0.165
            fig.text(
                0.06, 0.02, "Geen naam nodig. Uw antwoorden worden anoniem verwerkt.", fontsize=7
            )
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()


def spider_sheet_pdf(title: str, language: str = "nl") -> bytes:
    """An empty spider web on A4 for groups to draw their own scores on."""
    ts = themes()
    n = len(ts)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    fig = plt.figure(figsize=A4)
    fig.text(0.5, 0.96, title, fontsize=15, weight="bold", ha="center", va="top")
    ax = fig.add_axes((0.12, 0.2, 0.76, 0.6), projection="polar")
    ax.set_xticks(angles)
    ax.set_xticklabels(
        ["\n".join(textwrap.wrap(t.name[language].split(" (")[0], 16)) for t in ts], fontsize=8
    )
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0])
    ax.set_yticklabels([])
    for a in angles:
        ax.plot([a, a], [0, 1], color="#999", lw=0.8)
    fig.text(
        0.5,
        0.1,
        "Midden = veel ruimte voor verbetering, buitenkant = goed",
        ha="center",
        fontsize=9,
    )
    buffer = BytesIO()
    with PdfPages(buffer) as pdf:
        pdf.savefig(fig)
    plt.close(fig)
    return buffer.getvalue()
