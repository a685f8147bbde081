"""One row per real-world figure: block -> compare -> cluster, with the rules in ``reconcile.toml``.

1. **Copies count once.** Facts of republished copies (see :mod:`.documents`) are matched to the
   representative's facts by value and position (the n-th figure of that kind, unit and value) and
   travel together as one *unit*.
2. **Block** on ``(kind, unit family, canonical metric, cumulative)``; nothing outside a block is
   ever compared.
3. **Compare and cluster** inside a block, greedily and never quadratically: units sorted by
   (unknown slot fields, interval width) join the one existing row whose *core* (the intersection of
   its mentions' intervals, so a row's mentions always share a common value) meets their interval
   and whose slot (year/period, subject) is compatible. Existing rows are found by bisecting on
   their start within a window of the widest interval seen, so a big block costs n log n plus the
   neighbours in the tolerance window. A unit compatible with several rows is ambiguous and becomes
   its own row, with a note; a unit with a null year/subject attaches only to a unique compatible row.
4. **Conflicts**: rows of one block with the same subject and period (or as-of date for running
   totals) whose cores do not meet are flagged, each listing the others (ids, and in the note the
   other rows' mentions beside its own).

Why greedy cores and not plain connected components (union-find over compatible pairs): a loose
mention chains incompatible precise ones (3825个 ~ 3800余个 ~ 3850个 would make 3825 and 3850 one
row), hiding exactly the conflicts the analyst needs; joining a row only when the unit meets the
intersection of all its mentions keeps every row internally consistent (Helly: pairwise-meeting
intervals share a point) and sends the loose mention that fits two rows to a row of its own.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from math import asinh

from jinlong_extract.records import KINDS, DocumentResult, Entity, Fact, Reconciled, Source
from jinlong_extract.reconcile._t2s import simplified_key
from jinlong_extract.reconcile.compare import Interval, interval, meets, rule_between, significant_digits
from jinlong_extract.reconcile.rules import Rules, rules

Period = tuple[int, int]


@dataclass(slots=True)
class Unit:
    """One fact, with the facts of republished copies matched to it."""

    facts: list[Fact]
    anchor: Fact  #: the fact whose labels speak for the unit (the representative's)
    iv: Interval | None
    block: tuple
    period: Period | None
    subject: str | None  #: subject key: ``id:<ids>`` or ``name:<canonical>``
    subject_name: str | None
    copy_rules: list[str] = field(default_factory=list)  #: why copies' facts joined this unit
    notes: list[str] = field(default_factory=list)  #: e.g. ambiguity, for the analyst
    home: str = ""  #: the representative document of the unit's republished-copy cluster

    @property
    def sentence_key(self) -> tuple | None:
        """(document, article, sentence) of the anchor: mentions sharing it are different figures."""
        a = self.anchor
        return (self.home, a.article, a.sentence) if a.sentence else None


@dataclass(slots=True)
class Row:
    """A cluster under construction, and after clustering the internals series need."""

    units: list[Unit]
    lo: float
    hi: float
    init_lo: float
    init_hi: float
    period: Period | None
    subject: str | None
    subject_name: str | None
    rules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    id: str = ""
    rid: int = -1  #: position in its block's row list while clustering
    sorted_facts: list[Fact] = field(default_factory=list)  #: filled after clustering
    sentence: tuple | None = None  #: sentence key of its first unit (see Unit.sentence_key) ...
    more_sentences: set | None = None  #: ... and of the others, once there are any
    as_of: str | None = None
    record: Reconciled | None = None

    @property
    def anchor(self) -> Unit:
        return self.units[0]

    @property
    def block(self) -> tuple:
        return self.units[0].block

    def facts(self) -> list[Fact]:
        """All mentions of the row, in (doc, start) order once clustering is done."""
        return self.sorted_facts or [f for u in self.units for f in u.facts]


class Subjects:
    """Resolves a fact's subject to a key and a display name, through merged entities if given."""

    def __init__(self, entities: list[Entity] | None, equivalents: dict[str, str] | None = None) -> None:
        self.equivalents = {simplified_key(k): simplified_key(v) for k, v in (equivalents or {}).items()}
        self.by_alias: dict[str, Entity] = {}
        self.by_id: dict[str, Entity] = {}
        for e in entities or ():
            self.by_id.setdefault(e.id, e)
            names = [e.canonical, *e.aliases]
            names += [m.text for m in e.mentions] + [m.canonical for m in e.mentions if m.canonical]
            for name in names:
                if name:
                    self.by_alias.setdefault(simplified_key(name), e)  # first entity wins: input order

    def key(self, fact: Fact) -> tuple[str | None, str | None]:
        """``(key, display name)``: entity ids first, then the canonical subject string, else null;
        a subject listed in ``[subject_equivalents]`` is compared as its equivalent."""
        key, name = self._key(fact)
        if name is not None and name in self.equivalents:
            target = self.equivalents[name]
            ent = self.by_alias.get(target)
            if ent is not None:
                return "id:" + ent.id, ent.canonical
            return "name:" + target, target
        return key, name

    def _key(self, fact: Fact) -> tuple[str | None, str | None]:
        if fact.subject_ids:
            ids = sorted(set(fact.subject_ids))
            if len(ids) == 1 and ids[0] in self.by_id:
                name: str | None = self.by_id[ids[0]].canonical
            elif fact.subject and fact.subject.strip():
                name = simplified_key(fact.subject)
            else:
                name = "、".join(self.by_id[i].canonical if i in self.by_id else i for i in ids)
            return "id:" + "+".join(ids), name
        if fact.subject and fact.subject.strip():
            name = simplified_key(fact.subject)
            ent = self.by_alias.get(name)
            if ent is not None:
                return "id:" + ent.id, ent.canonical
            return "name:" + name, name
        return None, None


def _period(f: Fact) -> Period | None:
    if f.period_start is not None and f.period_end is not None:
        return (f.period_start, f.period_end)
    if f.year is not None:
        return (f.year, f.year)
    if f.period_end is not None:
        return (f.period_end, f.period_end)
    return None


def _value_key(f: Fact, r: Rules) -> tuple:
    """What a copy's figure must share with the original's to be its twin (then: the n-th such)."""
    v = None if f.value is None else round(f.value, 6)
    return (f.kind, r.unit_family(f.unit), v, f.qualifier)


def _units(results: list[DocumentResult], reps: dict[str, str], why: dict[str, str], r: Rules,
           subjects: Subjects) -> list[Unit]:
    """Every fact in exactly one unit; copies' facts matched to the representative's by position."""
    by_doc: dict[str, list[Fact]] = defaultdict(list)
    for res in results:
        for f in res.facts:
            by_doc[f.doc].append(f)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc in by_doc:
        groups[reps.get(doc, doc)].append(doc)
    units: list[list[Fact]] = []
    unit_notes: list[list[str]] = []
    homes: list[str] = []
    for rep, docs in groups.items():
        if len(docs) == 1:  # no copies: every fact is its own unit
            for f in by_doc[docs[0]]:
                units.append([f])
                unit_notes.append([])
                homes.append(rep)
            continue
        rep_facts = sorted(by_doc.get(rep, []), key=lambda f: (f.start, f.end))
        slots: dict[tuple, list[int]] = defaultdict(list)
        for f in rep_facts:
            slots[_value_key(f, r)].append(len(units))
            units.append([f])
            unit_notes.append([])
            homes.append(rep)
        for doc in sorted(d for d in docs if d != rep):
            seen: dict[tuple, int] = defaultdict(int)
            for f in sorted(by_doc[doc], key=lambda f: (f.start, f.end)):
                k = _value_key(f, r)
                n = seen[k]
                seen[k] = n + 1
                if f.value is not None and n < len(slots.get(k, ())):
                    i = slots[k][n]
                    units[i].append(f)
                    unit_notes[i].append(why.get(doc, f"republished copy of {rep}"))
                else:
                    units.append([f])
                    unit_notes.append([])
                    homes.append(rep)
    out: list[Unit] = []
    seen_iv: dict[tuple, Interval | None] = {}  # the same written figure recurs: compute once
    for facts, notes, home in zip(units, unit_notes, homes):
        if len(facts) == 1:  # the common case, without the copy bookkeeping
            f = facts[0]
            ikey = (f.text, f.value, f.qualifier, f.low, f.high)
            iv = seen_iv.get(ikey, False)
            if iv is False:
                iv = seen_iv[ikey] = interval(f, r)
            skey, sname = subjects.key(f)
            metric = r.metric(f.metric)
            metric_key = ("?", f.object) if metric is None and r.null_metric_uses_object else metric
            block = (f.kind, r.unit_family(f.unit), metric_key, bool(f.cumulative))
            out.append(Unit(facts, f, iv, block, _period(f), skey, sname, home=home))
            continue
        anchor = next((f for f in facts if f.metric), facts[0])
        iv = None
        for f in facts:
            ikey = (f.text, f.value, f.qualifier, f.low, f.high)
            fiv = seen_iv.get(ikey, False)
            if fiv is False:
                fiv = seen_iv[ikey] = interval(f, r)
            if fiv is None:
                iv = None
                break
            if iv is None:
                iv = fiv
            else:  # copies matched on equal values: the intersection is their common reading
                lo = max(iv.lo, fiv.lo)
                iv = Interval(lo, max(lo, min(iv.hi, fiv.hi)), iv.how)
        period = next((p for p in map(_period, facts) if p is not None), None)
        skey, sname = None, None
        for f in facts:
            skey, sname = subjects.key(f)
            if skey is not None:
                break
        metric = r.metric(anchor.metric)
        if metric is None and r.null_metric_uses_object:
            metric_key: object = ("?", anchor.object)
        else:
            metric_key = metric
        block = (anchor.kind, r.unit_family(anchor.unit), metric_key, bool(anchor.cumulative))
        out.append(Unit(facts, anchor, iv, block, period, skey, sname, sorted(set(notes)), home=home))
    return out


#: Rows whose interval is wider than this (in asinh units, ~ a factor e) are kept out of the bisect
#: index and scanned linearly: one "1至100万" range must not widen every neighbour window.
_WIDE = 1.0


class _SlotIndex:
    """The rows of one (period, subject) slot of a block, sorted by the asinh of their start.

    asinh is monotone and about log for large values, so tolerance windows (a few % of the value)
    have about the same width at 100元 and at 100亿元, and the bisect window stays narrow.
    """

    __slots__ = ("starts", "ids", "maxw", "wide")

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ids: list[int] = []
        self.maxw = 0.0
        self.wide: list[int] = []

    def add(self, rid: int, lo: float, hi: float) -> None:
        tlo, thi = asinh(lo), asinh(hi)
        if thi - tlo > _WIDE:
            self.wide.append(rid)
            return
        idx = bisect_right(self.starts, tlo)
        self.starts.insert(idx, tlo)
        self.ids.insert(idx, rid)
        self.maxw = max(self.maxw, thi - tlo)

    def remove(self, rid: int, lo: float) -> None:
        if rid in self.wide:
            self.wide.remove(rid)
            return
        idx = bisect_left(self.starts, asinh(lo))
        while self.ids[idx] != rid:
            idx += 1
        del self.starts[idx], self.ids[idx]

    def near(self, lo: float, hi: float) -> list[int]:
        """Ids of rows whose initial interval may meet ``[lo, hi]``."""
        tlo, thi = asinh(lo), asinh(hi)
        slack = 1e-9 * max(abs(tlo), abs(thi), 1.0)
        i0 = bisect_left(self.starts, tlo - self.maxw - slack)
        i1 = bisect_right(self.starts, thi + slack)
        return self.ids[i0:i1] + self.wide if self.wide else self.ids[i0:i1]


class _BlockIndex:
    """The rows of one block indexed four ways, so that every unit finds all rows whose slot is
    compatible with its own (equal, or null on either side) in at most four bisect lookups:
    by exact slot, by subject (any period), by period (any subject), and all rows.

    Units are clustered fully-specified first, and those only ever look up exact slots; the three
    other indexes are built in bulk when the first unit with a null year or subject arrives.
    """

    def __init__(self) -> None:
        self.idx: dict[tuple, _SlotIndex] = defaultdict(_SlotIndex)
        self.full = False

    @staticmethod
    def _keys(period: Period | None, subject: str | None) -> tuple[tuple, ...]:
        return (("slot", period, subject), ("subj", subject), ("per", period), ("all",))

    def add(self, row: Row) -> None:
        keys = self._keys(row.period, row.subject) if self.full else (("slot", row.period, row.subject),)
        for k in keys:
            self.idx[k].add(row.rid, row.init_lo, row.init_hi)

    def remove(self, row: Row) -> None:
        keys = self._keys(row.period, row.subject) if self.full else (("slot", row.period, row.subject),)
        for k in keys:
            self.idx[k].remove(row.rid, row.init_lo)

    def complete(self, rows: list[Row]) -> None:
        """Build the subject / period / all indexes from the rows so far (sorted once, in bulk)."""
        if self.full:
            return
        self.full = True
        entries: dict[tuple, list[tuple[float, int, float]]] = defaultdict(list)
        for row in rows:
            if row.anchor.iv is None:
                continue
            t = (asinh(row.init_lo), row.rid, asinh(row.init_hi))
            for k in self._keys(row.period, row.subject)[1:]:
                entries[k].append(t)
        for k, items in entries.items():
            items.sort()
            ix = self.idx[k]
            for tlo, rid, thi in items:
                if thi - tlo > _WIDE:
                    ix.wide.append(rid)
                else:
                    ix.starts.append(tlo)
                    ix.ids.append(rid)
                    if thi - tlo > ix.maxw:
                        ix.maxw = thi - tlo

    def near(self, period: Period | None, subject: str | None, lo: float, hi: float) -> list[int]:
        """Ids of rows with a compatible slot whose initial interval may meet ``[lo, hi]``."""
        if period is not None and subject is not None:
            keys = [("slot", period, subject), ("slot", period, None), ("slot", None, subject), ("slot", None, None)]
        elif subject is not None:
            keys = [("subj", subject), ("subj", None)]
        elif period is not None:
            keys = [("per", period), ("per", None)]
        else:
            keys = [("all",)]
        out: list[int] = []
        for k in keys:
            ix = self.idx.get(k)
            if ix is not None:
                out.extend(ix.near(lo, hi))
        return out


def _cluster_block(units: list[Unit], r: Rules) -> list[Row]:
    """Greedy interval clustering of one block (see the module docstring)."""
    rows: list[Row] = []
    index = _BlockIndex()
    order = sorted(
        units,
        key=lambda u: (
            (u.period is None) + (u.subject is None),
            u.iv is None,
            u.iv.width if u.iv else 0.0,
            u.iv.lo if u.iv else 0.0,
            u.anchor.id,
        ),
    )
    for u in order:
        if u.iv is None:
            rows.append(Row([u], 0.0, 0.0, 0.0, 0.0, u.period, u.subject, u.subject_name, ["no value: not compared"]))
            continue
        lo, hi = u.iv.lo, u.iv.hi
        if (u.period is None or u.subject is None) and not index.full:
            index.complete(rows)
        skey = u.sentence_key
        cands = []
        for cid in index.near(u.period, u.subject, lo, hi):
            row = rows[cid]
            if row.lo <= hi and lo <= row.hi and meets(lo, hi, row.lo, row.hi, r.epsilon):
                if skey is None or not (skey == row.sentence or (row.more_sentences and skey in row.more_sentences)):
                    cands.append(row)  # (one sentence never repeats a figure)
        override = ""
        if not cands and u.subject is not None and u.block[3] and isinstance(u.block[2], str) and r.subject_override_digits:
            cands, override = _other_subject(u, rows, index, r)
        chosen: Row | None = None
        if len(cands) == 1:
            chosen = cands[0]
        elif len(cands) > 1:
            same = [c for c in cands if c.period == u.period and c.subject == u.subject]
            if len(same) == 1:
                chosen = same[0]
            else:
                u.notes.append(f"ambiguous: value compatible with {len(cands)} rows, kept apart")
        if chosen is not None and not _may_attach(u, chosen, r):
            chosen = None
        if chosen is None:
            rows.append(Row([u], lo, hi, lo, hi, u.period, u.subject, u.subject_name, rid=len(rows)))
            rows[-1].sentence = skey
            index.add(rows[-1])
            continue
        a = chosen.anchor
        rule = rule_between(u.anchor, u.iv, a.anchor, a.iv, r) if a.iv else "no value"
        if u.anchor.doc == a.anchor.doc and u.anchor.article == a.anchor.article:
            rule = f"repeated in the same article, {rule}"
        rule = override + rule
        if u.period is None and chosen.period is not None:
            rule += "; no year: attached to the only compatible dated row"
        if u.subject is None and chosen.subject is not None:
            rule += "; no subject: attached to the only compatible row with one"
        chosen.rules.append(rule)
        chosen.units.append(u)
        if skey is not None:
            if chosen.more_sentences is None:
                chosen.more_sentences = set()
            chosen.more_sentences.add(skey)
        chosen.lo, chosen.hi = max(chosen.lo, lo), min(chosen.hi, hi)
        if chosen.hi < chosen.lo:  # only float slack can do this; keep the core a point
            chosen.hi = chosen.lo
        if (chosen.period is None and u.period is not None) or (chosen.subject is None and u.subject is not None):
            index.remove(chosen)
            if chosen.period is None:
                chosen.period = u.period
            if chosen.subject is None:
                chosen.subject, chosen.subject_name = u.subject, u.subject_name
            index.add(chosen)
    return rows


def _may_attach(u: Unit, row: Row, r: Rules) -> bool:
    """A unit filling its missing year or subject from a row of other articles needs a distinctive
    value (``[slot] attach_digits``); within its own article it does not."""
    fills = (u.period is None and row.period is not None) or (u.subject is None and row.subject is not None)
    if not fills or any(x.home == u.home for x in row.units):
        return True
    return max(significant_digits(u.anchor), significant_digits(row.anchor.anchor)) >= r.attach_digits


def _other_subject(u: Unit, rows: list[Row], index: _BlockIndex, r: Rules) -> tuple[list[Row], str]:
    """The one compatible running total of another subject a distinctive running total may join
    (``[slot] subject_override_digits``), or none."""
    index.complete(rows)
    lo, hi = u.iv.lo, u.iv.hi
    home = u.home
    digits = significant_digits(u.anchor)
    found = []
    for key in ([("per", u.period), ("per", None)] if u.period is not None else [("all",)]):
        ix = index.idx.get(key)
        for cid in ix.near(lo, hi) if ix is not None else ():
            row = rows[cid]
            if row.subject is None or row.subject == u.subject or not meets(lo, hi, row.lo, row.hi, r.epsilon):
                continue
            if max(digits, significant_digits(row.anchor.anchor)) < r.subject_override_digits:
                continue
            if any(x.home == home for x in row.units):  # one article (or its copies) naming two subjects
                continue
            found.append(row)
    if len(found) != 1:
        return [], ""
    return found, f"subjects differ ({found[0].subject_name} / {u.subject_name}) but a distinctive running total matches: "


def _as_of(row: Row, r: Rules) -> str | None:
    dates = sorted({f.date for f in row.sorted_facts if f.date})
    if row.period is not None:
        y = row.period[1]
        same_year = [d for d in dates if d[:4] == str(y)]
        return same_year[0] if same_year else f"{y:04d}-{r.year_end}"
    return dates[0] if dates else None


def _row_id(facts: list[Fact]) -> str:
    h = hashlib.blake2b("|".join(sorted(f.id for f in facts)).encode("utf-8"), digest_size=6)
    return "r-" + h.hexdigest()


def _flag_conflicts(rows: list[Row], r: Rules) -> None:
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        if row.anchor.iv is None:
            continue
        if r.require_subject and row.subject is None:
            continue
        when = row.as_of if row.block[3] else row.period
        if r.require_period and when is None:
            continue
        groups[(row.block, row.subject, when)].append(row)
    for members in groups.values():
        if len(members) < 2 or len(members) > r.conflict_max_rows:
            continue
        members.sort(key=lambda x: (x.lo, x.id))
        articles = [{(x.home, x.anchor.article) for x in m.units} for m in members]  # copies are one article
        for i, a in enumerate(members):
            for j in range(i + 1, len(members)):
                b = members[j]
                if meets(a.lo, a.hi, b.lo, b.hi, r.epsilon):
                    continue
                if not r.same_article_is_conflict and len(articles[i] | articles[j]) == 1:
                    continue
                a.record.conflict = b.record.conflict = True
                a.record.conflict_with.append(b.id)
                b.record.conflict_with.append(a.id)
    by_id = {row.id: row for row in rows if row.record.conflict}
    for row in by_id.values():
        rec = row.record
        rec.conflict_with.sort()
        others = [by_id[i].record.sources[0] for i in rec.conflict_with[:3]]
        said = ", ".join(f"{s.text} in {s.doc}" for s in others)
        more = f" and {len(rec.conflict_with) - 3} more" if len(rec.conflict_with) > 3 else ""
        note = f"conflict: {rec.sources[0].text} here vs {said}{more} (same metric, subject and period)"
        rec.note = f"{rec.note}; {note}" if rec.note else note


def _record(row: Row, r: Rules) -> Reconciled:
    facts = row.sorted_facts
    a = row.anchor.anchor
    ps = pe = year = None
    if row.period is not None:
        if row.period[0] == row.period[1]:
            year = row.period[0]
        else:
            ps, pe = row.period
    subject_id = row.subject[3:] if row.subject and row.subject.startswith("id:") else None
    notes: list[str] = []
    if len(facts) == 1:
        rule: str | None = "single mention" if not row.rules else row.rules[0]
        notes = row.anchor.notes
    else:
        parts = [x for u in row.units for x in u.copy_rules] + row.rules
        rule = "; ".join(dict.fromkeys(parts)) if parts else None
        notes = list(dict.fromkeys(n for u in row.units for n in u.notes))
    return Reconciled(
        id=row.id,
        kind=a.kind,
        metric=r.metric(a.metric),
        subject=row.subject_name,
        subject_id=subject_id,
        year=year,
        period_start=ps,
        period_end=pe,
        cumulative=bool(a.cumulative),
        unit=a.unit,
        value=a.value,
        low=a.low,
        high=a.high,
        qualifier=a.qualifier,
        n_sources=len(facts),
        sources=[Source(f.id, f.doc, f.article, f.start, f.end, f.text, f.value, f.date) for f in facts],
        rule=rule,
        note="; ".join(notes) if notes else None,
    )


def cluster_figures(results: list[DocumentResult], reps: dict[str, str], why: dict[str, str],
                    entities: list[Entity] | None = None) -> list[Row]:
    """Block, compare and cluster every fact of ``results``; rows carry their :class:`Reconciled`."""
    r = rules()
    units = _units(results, reps, why, r, Subjects(entities, r.subject_equivalents))
    blocks: dict[tuple, list[Unit]] = defaultdict(list)
    for u in units:
        blocks[u.block].append(u)
    rows: list[Row] = []
    for key in sorted(blocks, key=repr):
        rows.extend(_cluster_block(blocks[key], r))
    kind_order = {k: i for i, k in enumerate(KINDS)}
    for row in rows:
        facts = [f for u in row.units for f in u.facts]
        if len(facts) > 1:
            facts.sort(key=lambda f: (f.doc, f.start, f.end))
        row.sorted_facts = facts
        row.id = _row_id(facts)
        row.as_of = _as_of(row, r)
        row.record = _record(row, r)
    rows.sort(key=lambda x: (x.record.sources[0].doc, x.record.sources[0].start, kind_order.get(x.record.kind, 9), x.id))
    _flag_conflicts(rows, r)
    return rows
