"""Series of running totals: cumulative rows of one subject and metric ordered by as-of date.

Rules (``data/reconcile.toml`` ``[series]``):

* a series is keyed by the row's block (kind, unit family, canonical metric) and subject; rows
  without a subject join the one series of their block that has a subject when there is exactly one
  (the same attach-if-unique rule as figures), else they form the block's unattributed series;
  rows without a metric join the one series of their subject, kind and unit family (``[series]
  null_metric``), else form their own;
* points are ordered by as-of date (year/period end, else publication date), then value;
* ``decreasing``: the point's whole interval lies below an earlier-dated point's;
* ``sum-mismatch``: the one-year figures of the same block and subject (the editions) add up to
  more than the total allows, or cover every year of the total's explicit period and their sum is
  incompatible with it.

Series with a single point are reported only when that point is flagged.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import regex

from jinlong_extract.records import Fact, SeriesPoint
from jinlong_extract.reconcile.figures import Row
from jinlong_extract.reconcile.rules import Rules, rules


#: the digits of a figure's text, to find it in its (normalised) sentence
_DIGITS = regex.compile(r"\d+(?:\.\d+)?")


def _series_id(key: tuple) -> str:
    return "s-" + hashlib.blake2b(repr(key).encode("utf-8"), digest_size=6).hexdigest()


def _year(as_of: str | None) -> int | None:
    if as_of and len(as_of) >= 4 and as_of[:4].isdigit():
        return int(as_of[:4])
    return None


class _Total:
    """What a series needs of a running-total row (kept for the whole run: no facts, no record)."""

    __slots__ = ("subject", "period", "as_of", "lo", "hi", "id", "objects", "labels", "point")

    def __init__(self, row: Row, labels: int | None, shared: dict) -> None:
        self.subject = row.subject
        self.period = row.period
        self.as_of = row.as_of
        self.lo, self.hi = row.lo, row.hi
        self.id = row.id
        facts = row.facts()
        objects = frozenset(f.object for f in facts)
        self.objects = shared.setdefault(objects, objects)  #: the counted objects of its mentions
        #: for rows without a metric, the ``labels`` characters before each mention in its sentence
        #: (see :func:`_nearest_label`)
        self.labels = () if labels is None else tuple(w for w in (_before(f, labels) for f in facts) if w is not None)
        a = row.units[0].anchor
        #: the record's fields a point shows
        self.point = (row.subject_name, row.metric, a.unit, a.value, row.id, [f.id for f in facts])


class SeriesBuilder:
    """Series points from clustered rows, added one at a time in any order (see the module
    docstring for the rules): only what the series need of each row is kept."""

    def __init__(self, r: Rules | None = None) -> None:
        self.r = r or rules()
        self.totals: dict[tuple, list[_Total]] = defaultdict(list)
        #: series key -> year -> [rows, lowest lower bound, lo, hi (of the row when just one)]
        self.parts: dict[tuple, dict[int, list]] = defaultdict(dict)
        self._shared: dict = {}  #: one object for each set of counted objects

    def add(self, row: Row) -> None:
        anchor = row.units[0]  # (row.anchor, without the property call)
        if not anchor.valued:
            return
        kind, family, metric, cumulative = anchor.block
        key = (kind, family, metric, row.subject)
        if cumulative:
            window = self.r.label_window if reads_labels(anchor.block) else None
            self.totals[key].append(_Total(row, window, self._shared))
        elif row.period is not None and row.period[0] == row.period[1]:
            years = self.parts[key]
            got = years.get(row.period[0])
            if got is None:
                years[row.period[0]] = [1, row.lo, row.lo, row.hi]
            else:
                got[0] += 1
                got[1] = min(got[1], row.lo)

    def state(self) -> tuple[dict, dict]:
        """What the rows added so far left (plain data: it crosses processes, see
        :meth:`absorb`)."""
        return dict(self.totals), dict(self.parts)

    def absorb(self, state: tuple[dict, dict]) -> None:
        """Add the rows another builder was given (its :meth:`state`), as if added here."""
        totals, parts = state
        for key, rows in totals.items():
            self.totals[key].extend(rows)
        for key, years in parts.items():
            mine = self.parts[key]
            for year, got in years.items():
                have = mine.get(year)
                if have is None:
                    mine[year] = got
                else:
                    have[0] += got[0]
                    have[1] = min(have[1], got[1])

    def points(self) -> list[SeriesPoint]:
        """The series points, once every row is added."""
        r, totals, parts = self.r, self.totals, self.parts
        # rows without a subject join the unique subject series of their block
        with_subject: dict[tuple, list[tuple]] = defaultdict(list)
        for key in totals:
            if key[3] is not None:
                with_subject[key[:3]].append(key)
        for key in [k for k in totals if k[3] is None]:
            targets = with_subject.get(key[:3], [])
            if len(targets) == 1:
                totals[targets[0]].extend(totals.pop(key))
        # running totals without a metric join the unique series of their subject, kind and unit
        # family (and counted object, when both name one); among several, the one whose metric
        # label is written nearest before the figure in its sentence
        labelled: dict[tuple, list[tuple]] = defaultdict(list)  # (kind, family, subject) -> series keys
        objects: dict[tuple, set] = {}  # labelled series key -> the counted objects of its own rows
        for k in totals:
            if isinstance(k[2], str):
                labelled[(k[0], k[1], k[3])].append(k)
                objects[k] = set().union(*(row.objects for row in totals[k]))
        for key in [k for k in totals if not isinstance(k[2], str)]:
            if key[3] is None:
                continue
            obj = key[2][1] if isinstance(key[2], tuple) and len(key[2]) > 1 else None
            targets = [
                k for k in labelled.get((key[0], key[1], key[3]), ())
                if obj is None or None in objects[k] or obj in objects[k]
            ]
            if not targets:
                continue
            keep = []
            for row in totals[key]:
                target = targets[0] if len(targets) == 1 else _nearest_label(row, targets, r)
                if target is None:
                    keep.append(row)
                else:
                    totals[target].append(row)
            if keep:
                totals[key] = keep
            else:
                del totals[key]
        out: list[SeriesPoint] = []
        for key in sorted(totals, key=repr):
            members = sorted(totals[key], key=lambda x: (x.as_of is None, x.as_of or "", x.lo, x.id))
            flags: dict[str, list[str]] = defaultdict(list)
            earlier_lo: float | None = None  # highest lower bound among strictly earlier dates
            date_lo: float | None = None  # highest lower bound at the current date
            date: str | None = None
            for row in members:
                if row.as_of is not None:
                    if row.as_of != date:
                        if date_lo is not None:
                            earlier_lo = date_lo if earlier_lo is None else max(earlier_lo, date_lo)
                        date, date_lo = row.as_of, None
                    if earlier_lo is not None and row.hi < earlier_lo:
                        flags[row.id].append("decreasing")
                    date_lo = row.lo if date_lo is None else max(date_lo, row.lo)
                if r.sum_check:
                    mismatch = _sum_mismatch(row, parts.get(key, {}))
                    if mismatch:
                        flags[row.id].append("sum-mismatch")
            if len(members) < 2 and not flags:
                continue
            sid = _series_id(key)
            for row in members:
                subject, metric, unit, value, rid, fact_ids = row.point
                out.append(
                    SeriesPoint(
                        series=sid,
                        subject=subject,
                        metric=key[2] if isinstance(key[2], str) else metric,
                        unit=unit,
                        as_of=row.as_of,
                        value=value,
                        reconciled_id=rid,
                        fact_ids=fact_ids,
                        flag=",".join(flags[row.id]) if flags.get(row.id) else None,
                    )
                )
        return out


def reads_labels(block: tuple) -> bool:
    """Whether the series of a block's rows look for metric labels in their sentences (see
    :func:`_nearest_label`): running totals without a canonical metric."""
    return bool(block[3]) and not isinstance(block[2], str)


def build_series(rows: Iterable[Row], r: Rules | None = None) -> list[SeriesPoint]:
    """Series points (with flags) from clustered rows; see the module docstring for the rules."""
    builder = SeriesBuilder(r)
    for row in rows:
        builder.add(row)
    return builder.points()


def _before(f: Fact, chars: int) -> str | None:
    """The ``chars`` characters before the figure ``f`` in its sentence (found by its digits);
    None when it is not found there."""
    m = _DIGITS.search(f.text or "")
    sentence = f.sentence or ""
    at = sentence.find(m.group(0)) if m else -1
    return None if at < 0 else sentence[max(0, at - chars):at]


def _nearest_label(row: _Total, targets: list[tuple], r: Rules) -> tuple | None:
    """The target series whose metric label (stripped of 数/额/量) is written nearest before the
    row's figure in its sentence, within ``r.label_window`` characters; None when no unique one."""
    best: list[tuple[int, tuple]] = []
    for window in row.labels:
        for k in targets:
            stem = k[2].rstrip("数额量") or k[2]
            pos = window.rfind(stem)
            if pos >= 0:
                best.append((len(window) - pos - len(stem), k))
    if not best:
        return None
    best.sort(key=lambda x: (x[0], repr(x[1])))
    if len(best) > 1 and best[0][0] == best[1][0] and best[0][1] != best[1][1]:
        return None
    return best[0][1]


def _sum_mismatch(total: _Total, by_year: dict[int, list]) -> bool:
    """Whether the editions' one-year figures contradict a running total (see module docstring).
    ``by_year``: year -> [rows, lowest lower bound, lo, hi] (see :class:`SeriesBuilder`)."""
    if not by_year:
        return False
    upto = total.period[1] if total.period is not None else _year(total.as_of)
    if upto is None:
        return False
    # (summed in year order: the same float sum whatever order the rows came in)
    low_sum = sum(by_year[y][1] for y in sorted(by_year) if y <= upto)
    slack = 1e-9 * max(abs(low_sum), abs(total.hi), 1.0)
    if low_sum > total.hi + slack:
        return True
    if total.period is not None and total.period[0] < total.period[1]:
        years = range(total.period[0], total.period[1] + 1)
        if all(y in by_year and by_year[y][0] == 1 for y in years):
            lo = sum(by_year[y][2] for y in years)
            hi = sum(by_year[y][3] for y in years)
            if hi < total.lo - slack or lo > total.hi + slack:
                return True
    return False
