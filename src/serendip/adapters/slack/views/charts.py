"""The stats chart: a department × department heat-map of ties and cross-team ties over rounds (PNG)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from serendip.services.analytics import ProgramStats
from serendip.services.circle_stats import CircleFigures

WIDTH_PX, HEIGHT_PX, DPI = 1400, 700, 100
LABEL_LIMIT = 18
TICK_LIMIT = 60  # more departments than this and their names would overprint: the axes say how many
# The heat-map is about 500 px wide: more cells than this cannot be told apart, and colouring
# 6 million of them (2,500 departments) took seconds. Beyond it, a cell sums a block of departments.
CELL_LIMIT = 400
Cells = np.ndarray[Any, np.dtype[np.int64]]


def render_png(stats: ProgramStats, title: str = "") -> bytes:
    """The chart as PNG bytes, WIDTH_PX × HEIGHT_PX (a circles program's has a third panel: meetings
    held per circle)."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)  # the headless Agg canvas: no display, no pyplot global state, thread-safe
    if stats.circles is None:
        heat, line = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
    else:
        heat, line, held = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.1, 0.9]})
        _meetings_held(held, stats.circles)
    _heatmap(figure, heat, stats)
    _growth(line, stats)
    figure.suptitle(title or f"Serendip network, {stats.generated_at:%Y-%m-%d}", fontsize=14)
    figure.subplots_adjust(left=0.12, right=0.93, bottom=0.25, top=0.88, wspace=0.35)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _short(name: str) -> str:
    return name if len(name) <= LABEL_LIMIT else name[: LABEL_LIMIT - 1] + "…"


def _heatmap(figure: Figure, axes: Axes, stats: ProgramStats) -> None:
    axes.set_title("Ties between departments")
    if not stats.departments:
        _empty(axes, "No departments known yet")
        return
    matrix, block = grouped(stats.tie_counts, CELL_LIMIT)
    image = axes.imshow(matrix, cmap="YlGnBu", vmin=0)
    labels = [_short(d) for d in stats.departments]
    if len(labels) <= TICK_LIMIT:
        ticks = list(range(len(labels)))
        axes.set_xticks(ticks, labels, rotation=45, ha="right", fontsize=8)
        axes.set_yticks(ticks, labels, fontsize=8)
    else:
        axes.set_xticks([])
        axes.set_yticks([])
        grouping = f", {block} × {block} per cell" if block > 1 else ""
        axes.set_xlabel(f"{len(labels)} departments (A to Z{grouping})")
    peak = int(matrix.max(initial=0))
    if len(labels) <= 15:
        for i, row in enumerate(stats.tie_matrix):
            for j, value in enumerate(row):
                colour = "white" if peak and value > peak / 2 else "black"
                axes.text(j, i, str(value), ha="center", va="center", fontsize=8, color=colour)
    bar = figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label="ties")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()


def grouped(matrix: Cells, limit: int) -> tuple[Cells, int]:
    """The square matrix with blocks of `block` × `block` cells summed, so no side exceeds `limit`."""
    size = len(matrix)
    block = -(-size // limit) if size > limit else 1
    if block == 1:
        return matrix, 1
    cells = -(-size // block)
    padded = np.zeros((cells * block, cells * block), dtype=matrix.dtype)
    padded[:size, :size] = matrix
    summed: Cells = padded.reshape(cells, block, cells, block).sum(axis=(1, 3))
    return summed, block


def _meetings_held(axes: Axes, circles: CircleFigures) -> None:
    """How many circles held 0, 1, 2, ... meetings (a bar per count, whatever the number of circles)."""
    axes.set_title("Meetings held per circle")
    if not circles.circles:
        _empty(axes, "No circles yet")
        return
    counts = np.bincount([p.meetings_held for p in circles.circles])
    axes.bar(range(len(counts)), counts, color="#2ca02c")
    axes.set_xlabel("meetings held")
    axes.set_ylabel("circles")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _growth(axes: Axes, stats: ProgramStats) -> None:
    unit = "round" if stats.circles is None else "season"
    axes.set_title(f"Cross-team ties over {unit}s")
    if not stats.series:
        _empty(axes, "No delivered intros yet")
        return
    rounds = list(range(1, len(stats.series) + 1))
    axes.plot(
        rounds,
        [p.cross_team_ties for p in stats.series],
        marker="o",
        color="#1f77b4",
        label="cross-team ties (total)",
    )
    axes.bar(rounds, [p.new_cross_team_ties for p in stats.series], color="#aec7e8", label=f"new this {unit}")
    axes.set_xlabel(unit)
    axes.set_ylabel("cross-team ties")
    if len(rounds) <= 16:
        labels = [f"{i}\n{p.at:%d %b}" for i, p in zip(rounds, stats.series, strict=True)]
        axes.set_xticks(rounds, labels, fontsize=7)
    people = axes.twinx()
    people.plot(
        rounds, [p.participants for p in stats.series], linestyle="--", color="#ff7f0e", label="participants"
    )
    people.set_ylabel("participants")
    people.set_ylim(bottom=0)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    people.yaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = people.get_legend_handles_labels()
    axes.legend(
        handles + more_handles,
        labels + more_labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=3,
        fontsize=8,
        frameon=False,
    )


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color="grey")
    axes.set_xticks([])
    axes.set_yticks([])
