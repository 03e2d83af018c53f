"""Server-rendered SVG charts (pure: data in, markup out).

Colours come from CSS classes (``series-0`` ...) so the page's light and dark
themes apply; every chart carries a <title>, a <desc> and labelled axes, and the
pages print the same numbers in a table beside it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 84, 24, 16, 62


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]
    dashed: bool = False
    css: str = ""


def clip(series: Sequence[Series], x_max: float) -> list[Series]:
    """The series' points up to ``x_max`` (the data table keeps them all)."""
    return [Series(s.name, [(x, y) for x, y in s.points if x <= x_max], s.dashed, s.css) for s in series]


def nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def compact(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}K"
    return f"{value:g}"


def tenfold(series: Sequence[Series]) -> bool:
    """Whether the series' peaks differ tenfold or more (a linear axis would flatten the small)."""
    peaks = [max(y for _, y in s.points) for s in series if s.points and max(y for _, y in s.points) > 0]
    return len(peaks) > 1 and max(peaks) >= 10 * min(peaks)


def line_chart(series: Sequence[Series], *, title: str, desc: str, x_label: str, y_label: str,
               x_max: float | None = None, y_max: float | None = None, chart_id: str = "chart",
               y_format: str = "compact", diagonal: bool = False, log_y: bool = False) -> str:
    if log_y:  # zero (a week out of the Top 10) has no place on a log axis
        series = [Series(s.name, [(x, y) for x, y in s.points if y > 0], s.dashed, s.css) for s in series]
    xs = [x for s in series for x, _ in s.points]
    ys = [y for s in series for _, y in s.points]
    x_hi = x_max if x_max is not None else max(xs, default=1)
    x_lo = 0.0 if diagonal else 1.0
    if x_hi <= x_lo:
        x_hi = x_lo + 1
    y_hi = y_max if y_max is not None else nice_max(max(ys, default=1))
    if log_y:
        y_hi = 10 ** math.ceil(math.log10(max(ys, default=10)))
        y_lo = 10 ** math.floor(math.log10(min(ys, default=1)))
        if y_lo >= y_hi:
            y_lo = y_hi / 10
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w

    def py(y: float) -> float:
        if log_y:
            return TOP + plot_h - (math.log10(y) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo)) * plot_h
        return TOP + plot_h - y / y_hi * plot_h

    def fmt(v: float) -> str:
        return f"{v:.0%}" if y_format == "percent" else compact(v)

    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart_id}-title">{escape(title)}</title>',
           f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
           '<g class="grid">']
    levels = ([10 ** e for e in range(round(math.log10(y_lo)), round(math.log10(y_hi)) + 1)] if log_y
              else [y_hi * i / 4 for i in range(5)])
    for value in levels:
        y = py(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt(value)}</text>')
    if diagonal:
        ticks = [x_lo + (x_hi - x_lo) * i / 4 for i in range(5)]
    else:
        step = max(1, math.ceil((x_hi - x_lo) / 10))
        ticks = [float(t) for t in range(int(x_lo), int(x_hi) + 1, step)]
    for t in ticks:
        label = f"{t:.0%}" if diagonal else f"{t:g}"
        out.append(f'<text class="tick" x="{px(t):.1f}" y="{TOP + plot_h + 20}" text-anchor="middle">{label}</text>')
    out.append("</g>")
    out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>')
    out.append(f'<text class="label" x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 6}" '
               f'text-anchor="middle">{escape(x_label)}</text>')
    out.append(f'<text class="label" transform="translate(20 {TOP + plot_h / 2:.0f}) rotate(-90)" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    if diagonal:
        out.append(f'<line class="diagonal" x1="{px(0):.1f}" y1="{py(0):.1f}" x2="{px(1):.1f}" y2="{py(1):.1f}"/>')
    for n, s in enumerate(series):
        points = [(px(x), py(y)) for x, y in sorted(s.points)]
        if not points:
            continue
        css = s.css or f"series-{n}"
        dash = " dashed" if s.dashed else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(f'<g class="series {css}{dash}"><title>{escape(s.name)}</title>')
        if len(points) > 1:
            out.append(f'<polyline points="{path}"/>')
        out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in points)
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def region_grid(regions: Sequence[dict[str, Any]], *, title: str, chart_id: str = "regions") -> str:
    """A row of country squares per region: dark for a best rank of 1-3, mid for 4-10, pale
    for a country whose list it never reached; each square names its country and weeks."""
    cell, gap, label_w = 30, 4, 90
    per_row = max((len(r["countries"]) for r in regions), default=1)
    width = label_w + per_row * (cell + gap)
    height = len(regions) * (cell + gap) + 4
    out = [f'<svg class="chart grid-chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart_id}-title">{escape(title)}</title>']
    for i, region in enumerate(regions):
        y = i * (cell + gap) + 2
        out.append(f'<text class="label" x="0" y="{y + cell / 2 + 4:.0f}">{escape(str(region["region"]))}</text>')
        countries: list[dict[str, Any]] = region["countries"]
        for j, c in enumerate(countries):
            x = label_w + j * (cell + gap)
            rank = c["best_rank"]
            css = "rank-top3" if rank is not None and rank <= 3 else "rank-top10" if rank is not None else "rank-none"
            words = (f"{c['country_name']}: {c['weeks']} week(s), best #{rank}" if rank is not None
                     else f"{c['country_name']}: not in its Top 10")
            out.append(f'<g class="cell {css}"><title>{escape(words)}</title>'
                       f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3"/>'
                       f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4:.0f}" text-anchor="middle">'
                       f'{escape(c["country_iso2"])}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def legend(series: Sequence[Series]) -> str:
    items = []
    for n, s in enumerate(series):
        css = s.css or f"series-{n}"
        dash = " dashed" if s.dashed else ""
        items.append(f'<li><svg class="swatch" viewBox="0 0 24 8" aria-hidden="true"><g class="series {css}{dash}">'
                     f'<line x1="0" y1="4" x2="24" y2="4"/></g></svg> {escape(s.name)}</li>')
    return '<ul class="legend">' + "".join(items) + "</ul>"


@functools.cache
def _world_shapes() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(iso2, path data...) per country, from pygal_maps_world's world map SVG (the file only:
    the package is not imported, nor pygal). The path data stays as published: it is relative,
    so rounding each step would add up to visible drift."""
    from importlib.resources import files

    svg = (files("pygal_maps_world") / "worldmap.svg").read_text(encoding="utf-8")
    shapes = []
    for match in re.finditer(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', svg, re.S):
        paths = tuple(re.findall(r' d="([^"]+)"', match.group(2)))
        shapes.append((match.group(1), paths))
    return tuple(shapes)


def world_map(countries: Sequence[dict[str, Any]], *, title: str) -> str:
    """A world map shaded by the best rank a season reached in each country Netflix lists
    (dark: 1-3, mid: 4-10, pale: listed but never reached; blank: not in Netflix's lists).
    A standalone SVG (served as its own file), with its own light and dark colours."""
    listed = {c["country_iso2"].lower(): c for c in countries}
    out = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2475 1388" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
           "<style>g{fill:#e4e4e4;stroke:#fff;stroke-width:1}.pale{fill:#c9d6e8}.mid{fill:#d9667a}"
           ".top{fill:#b3122e}@media (prefers-color-scheme:dark){g{fill:#333;stroke:#151515}.pale{fill:#4a5a73}"
           ".mid{fill:#8c3445}.top{fill:#ff5a6e}}</style>"]
    for iso2, paths in _world_shapes():
        c = listed.get(iso2)
        if c is None:
            css, words = "", None
        elif c["best_rank"] is None:
            css, words = "pale", f"{c['country_name']}: not in its Top 10"
        else:
            css = "top" if c["best_rank"] <= 3 else "mid"
            words = f"{c['country_name']}: best #{c['best_rank']}, {c['weeks']} week(s)"
        head = f'<g id="c-{iso2}" class="{css}">' if css else f'<g id="c-{iso2}">'
        tip = f"<title>{escape(words)}</title>" if words else ""
        out.append(head + tip + "".join(f'<path d="{d}"/>' for d in paths) + "</g>")
    out.append("</svg>")
    return "".join(out)
