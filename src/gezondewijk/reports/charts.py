"""Pictures for fact sheets and the overview (PNG, with a text alternative next to them)."""

from __future__ import annotations

import math
from io import BytesIO

import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from gezondewijk.number_format import dutch_number
from gezondewijk.outputs.picture import score_colours
from gezondewijk.reports.mapdata import MapData


def _dutch_number(value: float, _position: int | None = None) -> str:
    """An axis tick in the one Dutch number format, with a typographic minus sign."""
    return dutch_number(value, None).replace("-", "\u2212")


def _png(fig: Figure) -> bytes:
    buffer = BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=110)
    return buffer.getvalue()


def area_map_png(data: MapData, code: str, cell_ids: list[str] | None = None) -> bytes:
    """Map excerpt of one buurt (or of a group of cells): cells coloured by score.

    With ``cell_ids`` the selected cells are drawn and outlined instead of the buurt.
    """
    n = len(data.indicator_keys)
    cmap, norm = score_colours(n)
    if cell_ids is not None and data.cells is not None:
        selected = data.cells_by_id(cell_ids)
        buurt = selected.dissolve()
    else:
        selected = None
        buurt = data.buurten[data.buurten["buurtcode"] == code]
    fig = Figure(figsize=(5.5, 5.5))
    ax = fig.subplots()
    minx, miny, maxx, maxy = buurt.total_bounds
    pad = 0.25 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    if selected is not None:
        selected.plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0.2, edgecolor="#999")
    elif data.cells is not None:
        cells = data.cells_of_buurt(code)
        cells.plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0.2, edgecolor="#999")
    else:
        buurt.plot(column="score", cmap=cmap, norm=norm, ax=ax)
    near = data.buurten.cx[minx - pad : maxx + pad, miny - pad : maxy + pad]
    near.boundary.plot(ax=ax, color="#bbb", linewidth=0.6)
    buurt.boundary.plot(ax=ax, color="#000", linewidth=1.8)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)))
    ax.set_axis_off()
    sm = ScalarMappable(cmap=cmap, norm=norm)
    fig.colorbar(sm, ax=ax, shrink=0.6, ticks=range(n + 1), label="score")
    fig.text(0.01, 0.01, data.about.get("herkomst", ""), fontsize=7)
    return _png(fig)


def overview_png(table: pd.DataFrame, vulnerability_label: str) -> bytes:
    """Stacked burden (score) against vulnerability per buurt, dot size = inhabitants.

    The x axis is the published value (``kwetsbaarheid_waarde``, e.g. SES-WOA as CBS
    publishes it, not its sign-flipped ranking key), so the label's direction holds. Names
    of up to 8 priority buurten are placed in turn above, below and beside their dots.
    """
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    sizes = 10 + 120 * (table["population"].fillna(0) / max(table["population"].max(), 1))
    x = table["kwetsbaarheid_waarde"] if "kwetsbaarheid_waarde" in table else table["kwetsbaarheid"]
    ax.scatter(
        x,
        table["score"],
        s=sizes,
        c=table["score"],
        cmap="Purples",
        edgecolors="#333",
        linewidths=0.4,
        vmin=-1,
    )
    top = table[table["prioriteit"]].head(8).assign(x_plot=x[table["prioriteit"]].head(8))
    offsets = [(4, 6), (4, -11), (-4, 6), (-4, -11)]
    for i, row in enumerate(top.sort_values("x_plot").itertuples()):
        dx, dy = offsets[i % len(offsets)]
        ax.annotate(
            str(row.buurtnaam),
            (row.x_plot, row.score),
            fontsize=7,
            xytext=(dx, dy),
            textcoords="offset points",
            ha="left" if dx > 0 else "right",
            arrowprops={"arrowstyle": "-", "color": "#777", "linewidth": 0.5},
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_dutch_number))
    ax.set_xlabel(vulnerability_label)
    ax.set_ylabel("score (aantal indicatoren 'aan')")
    ax.set_title("Stapeling en kwetsbaarheid per buurt")
    return _png(fig)
