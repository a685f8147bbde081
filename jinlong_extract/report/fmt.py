"""Human-readable figures for the report and ``jinlong show``.

Values are stored in base units (元, the plain count, the percent number); analysts read them in
the units Chinese news uses (万, 亿). These helpers only format, they never parse.

>>> format_value(14953000000.0, "元")
'149.53亿元'
>>> format_value(112.0, "个")
'112个'
>>> format_interval(20e8, None, "元")
'≥ 20亿元'
"""

from __future__ import annotations

#: (threshold, divisor, suffix), largest first: the first threshold a value reaches wins,
#: so 亿 (1e8) must come before 万 (1e4).
_MAGNITUDES: tuple[tuple[float, float, str], ...] = ((1e8, 1e8, "亿"), (1e4, 1e4, "万"))

#: Units written after the number with no magnitude word (a percentage is never "1.2万%").
_NO_MAGNITUDE_UNITS = frozenset({"%", "个百分点"})


def plain_number(value: float) -> str:
    """A number without float noise: ``12.0`` -> ``'12'``, ``0.1 + 0.2`` -> ``'0.3'``.

    >>> plain_number(149.53000000000003)
    '149.53'
    """
    if value != value:  # NaN
        return "NaN"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_value(value: float | None, unit: str | None = None) -> str:
    """``value`` in 万/亿 when large, followed by ``unit``; ``'—'`` when there is no value."""
    if value is None:
        return "—"
    unit = unit or ""
    if unit not in _NO_MAGNITUDE_UNITS:
        for threshold, divisor, suffix in _MAGNITUDES:
            if abs(value) >= threshold:
                return f"{plain_number(value / divisor)}{suffix}{unit}"
    return f"{plain_number(value)}{unit}"


def format_raw(value: float | None) -> str:
    """The value in base units with thousands separators: ``'14,953,000,000'``."""
    if value is None:
        return "—"
    if value == int(value) and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def format_interval(low: float | None, high: float | None, unit: str | None = None) -> str:
    """The interval a figure allows: ``'3–5个'``, ``'≥ 20亿元'``, ``'≤ 5万元'``, or one value."""
    if low is None and high is None:
        return "—"
    if high is None:
        return f"≥ {format_value(low, unit)}"
    if low is None:
        return f"≤ {format_value(high, unit)}"
    if low == high:
        return format_value(low, unit)
    return f"{format_value(low, unit)} – {format_value(high, unit)}"


def format_period(start: int | None, end: int | None) -> str:
    """``'2019–2021'`` for an explicit period, ``''`` when there is none."""
    if start is None and end is None:
        return ""
    if start == end or end is None:
        return str(start)
    if start is None:
        return f"–{end}"
    return f"{start}–{end}"
