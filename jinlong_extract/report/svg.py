"""Cumulative series as inline SVG line charts, made in Python (no chart library, no network).

Each point is an SVG link to the highlight of its source fact (``#f-<fact id>``); points the
reconciler flagged (a running total that decreases, a sum that does not add up) are drawn in the
warning colour with the flag in their tooltip.
"""

from __future__ import annotations

import datetime as _dt
import math
from html import escape
from urllib.parse import quote

from ..records import SeriesPoint
from .fmt import format_value

WIDTH, HEIGHT = 720, 260
#: plot margins: left leaves room for y labels such as "670.35亿元"
LEFT, RIGHT, TOP, BOTTOM = 92, 56, 22, 46


def fact_href(fact_id: str) -> str:
    """The in-page link to a fact's highlight; the id is percent-encoded (paths hold ``#``, spaces)."""
    return "#f-" + quote(fact_id, safe="")


def _ordinal(as_of: str | None) -> int | None:
    if not as_of:
        return None
    text = as_of[:10]
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return _dt.datetime.strptime(text[:size], fmt).date().toordinal()
        except ValueError:
            continue
    return None


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]`` (steps of 1, 2, 2.5 or 5 × 10^k).

    >>> nice_ticks(0, 670.35e8)
    [0.0, 20000000000.0, 40000000000.0, 60000000000.0, 80000000000.0]
    >>> nice_ticks(0, 320)
    [0.0, 100.0, 200.0, 300.0, 400.0]
    """
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    count = math.ceil((hi - first) / step - 1e-9)
    return [float(round(first + i * step, 10)) for i in range(count + 1)]


def series_chart(points: list[SeriesPoint], *, title: str = "") -> str:
    """One ``<svg>`` line chart of a series' points, ordered by ``as_of``.

    Points without a value are left out of the line (they stay in the table under the chart).

    >>> p = SeriesPoint("s", "津陇共振兴", "签约项目数", "个", "2021-12-31", 168.0, "r1", ["a.txt#1-5"])
    >>> svg = series_chart([p])
    >>> svg.startswith("<svg") and 'href="#f-a.txt%231-5"' in svg
    True
    """
    pts = [p for p in points if p.value is not None]
    pts.sort(key=lambda p: (p.as_of or "", p.value))
    label = escape(title or (pts[0].series if pts else ""), quote=True)
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
    )
    if not pts:
        return head + f'<text x="{LEFT}" y="{HEIGHT // 2}" class="axis">no values</text></svg>'
    unit = pts[0].unit
    values = [float(p.value) for p in pts]  # type: ignore[arg-type]
    ticks = nice_ticks(min(0.0, min(values)), max(values) if max(values) > 0 else 1.0)
    lo, hi = ticks[0], ticks[-1]
    ords = [_ordinal(p.as_of) for p in pts]
    if all(o is not None for o in ords) and len(set(ords)) > 1:
        xs_raw = [float(o) for o in ords]  # type: ignore[arg-type]
    else:
        xs_raw = [float(i) for i in range(len(pts))]
    x0, x1 = min(xs_raw), max(xs_raw)
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    pad = 28  # keep the first / last point and its label off the axis labels

    def sx(x: float) -> float:
        return LEFT + pad + ((pw - 2 * pad) / 2 if x1 == x0 else (x - x0) / (x1 - x0) * (pw - 2 * pad))

    def sy(y: float) -> float:
        return TOP + ph - (y - lo) / (hi - lo) * ph

    out = [head]
    for t in ticks:
        y = sy(t)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(
            f'<text class="axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(t, unit))}</text>"
        )
    out.append(f'<line class="axisline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy(lo):.1f}" y2="{sy(lo):.1f}"/>')
    coords = [(sx(x), sy(v)) for x, v in zip(xs_raw, values)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline class="line" points="{path}"/>')
    last_label_x = -1e9
    for p, (x, y) in zip(pts, coords):
        flagged = bool(p.flag)
        tip = f"{p.as_of or '?'}: {format_value(p.value, unit)}"
        if p.flag:
            tip += f" — {p.flag}"
        target = p.fact_ids[0] if p.fact_ids else None
        dot = (
            f'<circle class="pt{" flag" if flagged else ""}" cx="{x:.1f}" cy="{y:.1f}" r="6">'
            f"<title>{escape(tip)}</title></circle>"
            f'<text class="val" x="{x:.1f}" y="{y - 11:.1f}" text-anchor="middle">'
            f"{escape(format_value(p.value, unit))}</text>"
        )
        if target:
            dot = f'<a class="ptlink" href="{escape(fact_href(target), quote=True)}">{dot}</a>'
        out.append(dot)
        if x - last_label_x > 70:  # keep date labels from overprinting each other
            out.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">'
                f"{escape(p.as_of or '?')}</text>"
            )
            last_label_x = x
    out.append("</svg>")
    return "".join(out)
