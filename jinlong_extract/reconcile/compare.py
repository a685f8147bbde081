"""Compare two figure mentions: the interval each written figure allows, and whether they meet.

Interval semantics of the qualifiers (tolerances from ``data/reconcile.toml``):

* ``exact`` -> ``[v - s/2, v + s/2]`` where ``s`` is the step of the last digit written
  (149.53亿 -> s = 0.01亿; 150亿 -> s = 1亿): a rounded figure is the same figure; ``s/2`` is
  capped at ``max_rounding_pct`` of the value (1亿 is not 0.5亿–1.5亿).
* ``approx`` -> by the marker in the text: 余/多 ``[v, v + step of the last significant digit]``
  (3800余 -> 3800–3899), 近 ``[v(1-p), v]``, 约/左右 or none ``v ± p``.
* ``min`` -> ``[v, ∞)``, capped at ``v * min_cap`` for merging; ``max`` the mirror image.
* ``range`` -> ``[low, high]`` widened by the rounding of the written ends.

Two mentions are compatible when their intervals intersect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import regex

from jinlong_extract.records import Fact
from jinlong_extract.reconcile.rules import Rules, rules

#: The first Arabic number written in a figure's text (thousands separators allowed); its digits
#: tell the precision the writer used. Unicode digits (full-width １４００) match too.
_NUMBER = regex.compile(r"\d+(?:[,，]\d{3})*(?:[.．]\d+)?")


@dataclass(frozen=True, slots=True)
class Interval:
    """The values a written figure allows, and a human-readable account of why."""

    lo: float
    hi: float
    how: str  #: e.g. ``3800余个 (3800–3899)``

    @property
    def width(self) -> float:
        return self.hi - self.lo


def fmt(x: float) -> str:
    """Compact display of a value in base units.

    >>> fmt(14953000000.0), fmt(67000.0), fmt(3825.0)
    ('149.53亿', '6.7万', '3825')
    """
    ax = abs(x)
    if ax >= 1e8:
        return f"{x / 1e8:.10g}亿"
    if ax >= 1e4:
        return f"{x / 1e4:.10g}万"
    return f"{x:.10g}"


def _places(num: str) -> tuple[int, int]:
    """``(decimals written, trailing zeros of the integer part)`` of a written number."""
    num = num.replace(",", "").replace("，", "").replace("．", ".")
    if "." in num:
        intpart, dec = num.split(".", 1)
        return len(dec), 0
    return 0, len(num) - len(num.rstrip("0")) if num.strip("0") else 0


def _last_nonzero_place(x: float) -> float:
    """Step of the last non-zero digit of a value written without Arabic digits (三百万 -> 1e6)."""
    if x == 0 or not math.isfinite(x):
        return 1.0
    ax = abs(x)
    if ax == int(ax):
        n = int(ax)
        step = 1
        while n % 10 == 0:
            n //= 10
            step *= 10
        return float(step)
    text = f"{ax:.10f}".rstrip("0")
    return 10.0 ** -(len(text.split(".", 1)[1]))


def steps(fact: Fact, r: Rules | None = None) -> tuple[float, float]:
    """``(rounding step, significant step)`` of a figure in base units.

    The rounding step is the value of one unit in the last digit written (trailing zeros of an
    integer count when ``trailing_zeros_significant``); the significant step is that of the last
    non-zero digit, which is what 余/多 extend.

    >>> f = Fact("d", 0, 0, 7, "3800余个", "count", 3800.0, 3800.0, 3800.0, "approx", "个", None,
    ...          None, None, None, None, None, None, False, "")
    >>> steps(f)
    (1.0, 100.0)
    """
    r = r or rules()
    value = fact.value if fact.value is not None else 0.0
    m = _NUMBER.search(fact.text or "")
    if m is None:
        s = _last_nonzero_place(value)
        return s, s
    try:
        written, decimals, zeros, sig_dec = _written(m.group(0))
    except ValueError:  # pragma: no cover - the regex only matches digits
        s = _last_nonzero_place(value)
        return s, s
    mult = value / written if written else 1.0
    if mult <= 0 or not math.isfinite(mult):
        mult = 1.0
    if decimals:
        rounding = 10.0 ** -decimals
        significant = 10.0 ** -sig_dec if sig_dec else 1.0
    else:
        rounding = 1.0 if r.trailing_zeros_significant else 10.0**zeros
        significant = 10.0**zeros
    return rounding * mult, significant * mult


@lru_cache(maxsize=65536)
def _written(raw: str) -> tuple[float, int, int, int]:
    """``(value, decimals, trailing zeros of the integer part, decimals without trailing zeros)``
    of a written number (the same numbers recur: parsed once)."""
    written = float(raw.replace(",", "").replace("，", "").replace("．", "."))
    decimals, zeros = _places(raw)
    sig_dec = len(raw.replace("．", ".").split(".", 1)[1].rstrip("0")) if decimals else 0
    return written, decimals, zeros, sig_dec


def significant_digits(fact: Fact) -> int:
    """Significant digits as written (trailing zeros of an integer do not count): how distinctive
    a figure is. ``64.5亿元`` -> 3, ``3825个`` -> 4, ``3800余个`` -> 2, ``1亿元`` -> 1.

    >>> significant_digits(Fact("d", 0, 0, 6, "670.35亿元", "money", 6.7035e10, None, None, "exact",
    ...                         "元", None, None, None, None, None, None, None, False, ""))
    5
    """
    m = _NUMBER.search(fact.text or "")
    if m is not None:
        raw = m.group(0).replace(",", "").replace("，", "").replace("．", ".")
        if "." in raw:
            return len(raw.replace(".", "").lstrip("0")) or 1
        return len(raw.strip("0")) or 1
    v = fact.value
    if v is None or not math.isfinite(v) or v != int(v):
        return 1
    return len(str(int(abs(v))).strip("0")) or 1


def _approx_mode(text: str, r: Rules) -> tuple[str, str]:
    for marker, mode in r.approx_markers:
        if marker in text:
            return marker, mode
    return "", "around"


def interval(fact: Fact, r: Rules | None = None) -> Interval | None:
    """The interval of values a mention allows for merging, or None when it has no value.

    >>> f = Fact("d", 0, 0, 7, "3800余个", "count", 3800.0, 3800.0, 3800.0, "approx", "个", None,
    ...          None, None, None, None, None, None, False, "")
    >>> iv = interval(f); (iv.lo, iv.hi, iv.how)
    (3800.0, 3900.0, '3800余个 (3800–3899)')
    """
    return _interval(fact, r or rules(), True)  # type: ignore[return-value]


def bounds(fact: Fact, r: Rules | None = None) -> tuple[float, float] | None:
    """``(lo, hi)`` of :func:`interval`, without the human-readable account (no text formatting:
    the clustering needs the account only of the few mentions that merge).

    >>> f = Fact("d", 0, 0, 7, "3800余个", "count", 3800.0, 3800.0, 3800.0, "approx", "个", None,
    ...          None, None, None, None, None, None, False, "")
    >>> bounds(f)
    (3800.0, 3900.0)
    """
    return _interval(fact, r or rules(), False)  # type: ignore[return-value]


def _interval(fact: Fact, r: Rules, explain: bool) -> Interval | tuple[float, float] | None:
    """:func:`interval` when ``explain``, else :func:`bounds`: one account of the rules for both."""
    v = fact.value
    if v is None or not math.isfinite(v):
        return None
    text = fact.text or ""
    q = fact.qualifier
    if q == "approx":
        marker, mode = _approx_mode(text, r)
        if mode == "above":
            lo, hi = v, v + steps(fact, r)[1]
            if not explain:
                return lo, hi
            if hi - v >= 1 and abs(hi) < 1e4 and hi == int(hi):
                return Interval(lo, hi, f"{text} ({fmt(lo)}–{fmt(hi - 1)})")
            return Interval(lo, hi, f"{text} ({fmt(lo)}–{fmt(hi)})")
        if mode == "below":
            lo, hi = v * (1 - r.near_pct), v
            if not explain:
                return min(lo, hi), max(lo, hi)
            return Interval(min(lo, hi), max(lo, hi), f"{text}: {marker} = up to {r.near_pct:.0%} below ({fmt(lo)}–{fmt(v)})")
        lo, hi = v * (1 - r.approx_pct), v * (1 + r.approx_pct)
        lo, hi = min(lo, hi), max(lo, hi)
        if not explain:
            return lo, hi
        return Interval(lo, hi, f"{text}: ±{r.approx_pct:.0%} ({fmt(lo)}–{fmt(hi)})")
    rounding = steps(fact, r)[0]
    half = min(rounding / 2, abs(v) * r.max_rounding_pct) if v else rounding / 2
    if q == "min":
        lo = fact.low if fact.low is not None else v
        hi = lo * r.min_cap if lo > 0 else lo + abs(lo) * (r.min_cap - 1) + half
        if not explain:
            return lo, hi
        return Interval(lo, hi, f"{text}: at least {fmt(lo)} (merged up to ×{r.min_cap:g} = {fmt(hi)})")
    if q == "max":
        hi = fact.high if fact.high is not None else v
        lo = hi * r.max_floor if hi > 0 else hi - abs(hi) * (1 - r.max_floor) - half
        if not explain:
            return lo, hi
        return Interval(lo, hi, f"{text}: at most {fmt(hi)} (merged down to ×{r.max_floor:g} = {fmt(lo)})")
    if q == "range":
        low = fact.low if fact.low is not None else v
        high = fact.high if fact.high is not None else v
        lo = low - min(rounding / 2, abs(low) * r.max_rounding_pct)  # each end rounded as written
        hi = high + min(rounding / 2, abs(high) * r.max_rounding_pct)
        if not explain:
            return min(lo, hi), max(lo, hi)
        return Interval(min(lo, hi), max(lo, hi), f"range {text} ({fmt(lo)}–{fmt(hi)})")
    # exact (and any unknown qualifier, treated as written)
    if not explain:
        return v - half, v + half
    return Interval(v - half, v + half, f"rounding of {text} ({fmt(v - half)}–{fmt(v + half)})")


def meets(alo: float, ahi: float, blo: float, bhi: float, eps: float) -> bool:
    """Whether two intervals share more than an end point (rounding intervals are half-open, so
    149.5 and 149.6 written to one decimal do not meet at 149.55), with relative float slack."""
    slack = eps * max(abs(alo), abs(ahi), abs(blo), abs(bhi), 1.0)
    if max(alo, blo) < min(ahi, bhi) - slack:
        return True
    return abs(alo - blo) <= slack and abs(ahi - bhi) <= slack  # the same (possibly point) interval


def overlap(a: Interval, b: Interval, eps: float) -> bool:
    """Whether two intervals meet (see :func:`meets`)."""
    return meets(a.lo, a.hi, b.lo, b.hi, eps)


def compare(a: Fact, b: Fact, r: Rules | None = None) -> tuple[bool, str]:
    """Whether two mentions may be the same figure by kind, unit and value, and the rule that says so.

    Metric, year and subject are the blocking's business (see :mod:`.figures`); this is the value
    comparison with tolerance levels: exact equality, then the interval of the looser mention.

    >>> def f(text, v, q="exact", unit="个", kind="count"):
    ...     return Fact("d", 0, 0, len(text), text, kind, v, v, v, q, unit, None, None, None, None,
    ...                 None, None, None, False, "")
    >>> compare(f("3800余个", 3800.0, "approx"), f("3825个", 3825.0))
    (True, 'value within 3800余个 (3800–3899)')
    >>> compare(f("320个", 320.0), f("324个", 324.0))[0]
    False
    """
    r = r or rules()
    if a.kind != b.kind:
        return False, f"different kinds ({a.kind} vs {b.kind})"
    fa, fb = r.unit_family(a.unit), r.unit_family(b.unit)
    if fa != fb:
        return False, f"different units ({a.unit} vs {b.unit})"
    ia, ib = interval(a, r), interval(b, r)
    if ia is None or ib is None:
        return False, "no value to compare"
    if not overlap(ia, ib, r.epsilon):
        return False, f"values incompatible: {ia.how} vs {ib.how}"
    return True, rule_between(a, ia, b, ib, r)


class Explained(Protocol):
    """What :func:`rule_between` reads of an interval (an :class:`Interval`, or anything that can
    give its width and, when asked, its account)."""

    @property
    def width(self) -> float: ...

    @property
    def how(self) -> str: ...


def rule_between(a: Fact, ia: Explained, b: Fact, ib: Explained, r: Rules) -> str:
    """Human-readable rule for two compatible mentions (the looser one's interval explains it)."""
    if a.value is not None and b.value is not None and a.qualifier == b.qualifier:
        if abs(a.value - b.value) <= r.epsilon * max(abs(a.value), abs(b.value), 1.0):
            if a.qualifier == "exact":
                return "exact equal value"
            return f"equal value, both {a.qualifier}"
    wider = ia if ia.width >= ib.width else ib
    return f"value within {wider.how}"
