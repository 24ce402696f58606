"""Server-rendered spider-web (radar) chart as accessible SVG."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np

from gezondewijk.leefplekmeter.themes import themes

COLOURS = ["#5b2a86", "#d95f02", "#1b9e77", "#e7298a"]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]


@dataclass
class Series:
    """One line on the chart: normalised (0-1) median and quartiles per theme, in theme order."""

    name: str
    median: list[float]
    q1: list[float] | None = None
    q3: list[float] | None = None


def _point(i: int, value: float, n: int, cx: float, cy: float, r: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return cx + r * value * math.cos(angle), cy + r * value * math.sin(angle)


#: Size of the theme labels in the chart's own units (the chart is 940 units wide); pages
#: make them larger on a phone (style.css), where the chart is drawn small.
LABEL_SIZE = 24


def label_lines(label: str, width: int = 14) -> list[str]:
    """A theme's name in at most two lines of about ``width`` characters (split at spaces)."""
    words = label.split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        elif len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] += " " + word
    return lines or [label]


def spider_svg(
    series: list[Series],
    *,
    title: str,
    language: str = "nl",
    size: int = 560,
    empty: bool = False,
    ident: str = "spider-title",
) -> str:
    """Draw one or more series on the 14 Leefplekmeter axes.

    The outer ring is the best score, the centre the worst. Missing themes (too few answers)
    leave a gap in the line. With ``empty=True`` only the web and labels are drawn (the paper
    sheet on which a group draws its own web). ``ident`` is the id of the chart's title;
    give each chart on one page its own.
    """
    ts = themes()
    n = len(ts)
    cx = cy = size / 2
    r = size * 0.32
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-190 0 {size + 380} {size}" role="img" '
        f'aria-labelledby="{escape(ident)}" width="100%" class="spider-svg">',
        f'<title id="{escape(ident)}">{escape(title)}</title>',
    ]
    for ring in (0.25, 0.5, 0.75, 1.0):
        pts = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (_point(i, ring, n, cx, cy, r) for i in range(n))
        )
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#bbb" stroke-width="1"/>')
    for i, theme in enumerate(ts):
        x, y = _point(i, 1.0, n, cx, cy, r)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc"/>')
        lx, ly = _point(i, 1.18, n, cx, cy, r)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        lines = label_lines(theme.name[language].split(" (")[0])
        spans = "".join(
            f'<tspan x="{lx:.1f}" dy="{(-0.6 * (len(lines) - 1) if k == 0 else 1.2):.1f}em">'
            f"{escape(line)}</tspan>"
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{LABEL_SIZE}" text-anchor="{anchor}" '
            f'dominant-baseline="middle" fill="#222">{spans}</text>'
        )
    if not empty:
        for k, s in enumerate(series):
            colour = COLOURS[k % len(COLOURS)]
            if s.q1 is not None and s.q3 is not None and len(series) == 1:
                band = _band(s.q1, s.q3, n, cx, cy, r)
                if band:
                    parts.append(
                        f'<polygon points="{band}" fill="{colour}" fill-opacity="0.15" '
                        'fill-rule="evenodd" stroke="none"/>'
                    )
            for segment in _segments(s.median):
                pts = " ".join(
                    f"{x:.1f},{y:.1f}" for x, y in (_point(i, v, n, cx, cy, r) for i, v in segment)
                )
                closed = len(segment) == n
                tag = "polygon" if closed else "polyline"
                dash = f' stroke-dasharray="{DASHES[k % len(DASHES)]}"' if DASHES[k % 4] else ""
                parts.append(
                    f'<{tag} points="{pts}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>'
                )
            for i, v in enumerate(s.median):
                if not np.isnan(v):
                    x, y = _point(i, v, n, cx, cy, r)
                    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        for k, s in enumerate(series):
            y = size - 20 * (len(series) - k)
            colour = COLOURS[k % len(COLOURS)]
            parts.append(
                f'<line x1="16" y1="{y}" x2="44" y2="{y}" stroke="{colour}" '
                f'stroke-width="3"/><text x="50" y="{y + 4}" font-size="{LABEL_SIZE}">'
                f"{escape(s.name)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _segments(values: list[float]) -> list[list[tuple[int, float]]]:
    """Runs of known values (wrapping around) so that gaps stay visible."""
    n = len(values)
    known = [not np.isnan(v) for v in values]
    if all(known):
        return [list(enumerate(values))]
    if not any(known):
        return []
    start = next(i for i in range(n) if not known[i])
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for step in range(1, n + 1):
        i = (start + step) % n
        if known[i]:
            current.append((i, values[i]))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _band(q1: list[float], q3: list[float], n: int, cx: float, cy: float, r: float) -> str:
    if any(np.isnan(v) for v in q1 + q3):
        return ""
    outer = [_point(i, v, n, cx, cy, r) for i, v in enumerate(q3)]
    inner = [_point(i, v, n, cx, cy, r) for i, v in enumerate(q1)][::-1]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in outer + inner + outer[:1])
