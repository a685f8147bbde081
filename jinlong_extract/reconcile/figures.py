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
import zlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from math import asinh
from operator import attrgetter

from jinlong_extract.engine.serial import Parts, pack_facts_last, unpack_facts_last
from jinlong_extract.records import KINDS, DocumentResult, Entity, Fact, Reconciled, Source
from jinlong_extract.reconcile._t2s import simplified_key
from jinlong_extract.reconcile.compare import Interval, bounds, interval, rule_between, significant_digits
from jinlong_extract.reconcile.rules import Rules, rules

Period = tuple[int, int]

_NO_NOTES: tuple[str, ...] = ()  #: shared by the many units without notes (replaced on the first)


class Unit:
    """One fact, with the facts of republished copies matched to it."""

    __slots__ = ("facts", "anchor", "valued", "lo", "hi", "tlo", "thi", "block", "period", "subject",
                 "subject_name", "copy_rules", "notes", "home", "digits", "_iv", "order")

    facts: list[Fact]
    anchor: Fact  #: the fact whose labels speak for the unit (the representative's)
    valued: bool  #: whether it has an interval (see :func:`bounds`); then ...
    lo: float  #: ... its bounds (0.0 without a value) ...
    hi: float
    tlo: float  #: ... and their asinh: its place in the row index (see :class:`_SlotIndex`)
    thi: float
    block: tuple
    period: Period | None
    subject: str | None  #: subject key: ``id:<ids>`` or ``name:<canonical>``
    subject_name: str | None
    copy_rules: list[str] | tuple[str, ...]  #: why copies' facts joined this unit
    notes: list[str] | tuple[str, ...]  #: e.g. ambiguity, for the analyst
    home: str  #: the representative document of the unit's republished-copy cluster
    digits: int | None  #: significant digits of the anchor, once asked (see significant_digits)
    #: clustering order: fully specified slots first, then by interval width and start
    order: tuple[int, bool, float, float, str]

    def __init__(self, facts: list[Fact], anchor: Fact, bounds: tuple[float, float, float, float] | None,
                 block: tuple, period: Period | None, subject: str | None, subject_name: str | None,
                 copy_rules: list[str] | tuple[str, ...] = _NO_NOTES, home: str = "") -> None:
        self.facts = facts
        self.anchor = anchor
        if bounds is None:
            self.valued = False
            self.lo = self.hi = self.tlo = self.thi = 0.0
        else:
            self.valued = True
            self.lo, self.hi, self.tlo, self.thi = bounds
        self.block = block
        self.period = period
        self.subject = subject
        self.subject_name = subject_name
        self.copy_rules = copy_rules
        self.notes = _NO_NOTES
        self.home = home
        self.digits = None
        self._iv: Interval | None = None
        self.order = ((period is None) + (subject is None), bounds is None, self.hi - self.lo, self.lo, anchor.id)

    @property
    def iv(self) -> Interval | None:
        """The unit's interval with its account (that of its first fact; copies' facts only narrow
        it), made when asked."""
        if not self.valued:
            return None
        if self._iv is None:
            self._iv = Interval(self.lo, self.hi, self.how)
        return self._iv

    @property
    def width(self) -> float:
        return self.hi - self.lo

    @property
    def how(self) -> str:
        """The account of the unit's interval (:attr:`Interval.how`), for the rule of a merge."""
        if self._iv is not None:
            return self._iv.how
        iv = interval(self.facts[0], rules())
        return iv.how if iv is not None else ""

    @property
    def sentence_key(self) -> tuple | None:
        """(document, article, sentence) of the anchor: mentions sharing it are different figures."""
        a = self.anchor
        return (self.home, a.article, a.sentence) if a.sentence else None

    def significant_digits(self) -> int:
        """:func:`significant_digits` of the anchor, computed once."""
        d = self.digits
        if d is None:
            d = self.digits = significant_digits(self.anchor)
        return d


class Row:
    """A cluster under construction, and after clustering the internals series need."""

    __slots__ = ("units", "lo", "hi", "tlo", "thi", "period", "subject", "subject_name", "rules", "id", "rid",
                 "sorted_facts", "sentence", "more_sentences", "as_of", "order", "metric", "rule", "note",
                 "conflict_with")

    units: list[Unit]
    lo: float  #: the core: the intersection of its units' intervals
    hi: float
    tlo: float  #: asinh of its first unit's interval: its place in the row index
    thi: float
    period: Period | None
    subject: str | None
    subject_name: str | None
    rules: list[str] | None  #: why each later unit joined (None until one does)
    id: str
    rid: int  #: position in its block's row list while clustering
    sorted_facts: list[Fact]  #: filled after clustering
    sentence: tuple | None  #: sentence key of its first unit (see Unit.sentence_key) ...
    more_sentences: set | None  #: ... and of the others, once there are any
    as_of: str | None
    #: once finished (:meth:`_Recorder.finish`): output order (document, start of the first mention,
    #: kind, id), canonical metric, rule and note of its record ...
    order: tuple
    metric: str | None
    rule: str | None
    note: str | None
    conflict_with: list[str] | None  #: ... and the rows it conflicts with (:func:`_flag_conflicts`)

    def __init__(self, unit: Unit, rid: int = -1, sentence: tuple | None = None,
                 rules: list[str] | None = None) -> None:
        self.units = [unit]
        self.lo, self.hi = unit.lo, unit.hi
        self.tlo, self.thi = unit.tlo, unit.thi
        self.period = unit.period
        self.subject = unit.subject
        self.subject_name = unit.subject_name
        self.rules = rules
        self.id = ""
        self.rid = rid
        self.sorted_facts = []
        self.sentence = sentence
        self.more_sentences = None
        self.as_of = None
        self.conflict_with = None

    @property
    def anchor(self) -> Unit:
        return self.units[0]

    @property
    def block(self) -> tuple:
        return self.units[0].block

    def facts(self) -> list[Fact]:
        """All mentions of the row, in (doc, start) order once clustering is done."""
        return self.sorted_facts or [f for u in self.units for f in u.facts]


_MENTION_TEXT = attrgetter("text")
_MENTION_CANONICAL = attrgetter("canonical")


class Subjects:
    """Resolves a fact's subject to a key and a display name, through merged entities if given.

    Entity names (canonical, aliases, mentions) are folded and indexed as far down the entity list
    as the lookups need: most facts carry entity ids, and a name is found without folding the
    names of every later entity.
    """

    def __init__(self, entities: list[Entity] | None, equivalents: dict[str, str] | None = None) -> None:
        self.equivalents = {simplified_key(k): simplified_key(v) for k, v in (equivalents or {}).items()}
        self.by_id: dict[str, Entity] = {}
        for e in entities or ():
            self.by_id.setdefault(e.id, e)
        self._by_alias: dict[str, Entity] = {}  #: folded name -> first entity naming it, so far
        self._unread = iter(entities or ())  #: the entities whose names are not indexed yet
        self._names_seen: set[str] = {"", None}  # type: ignore[arg-type]  # raw names indexed (and the empty ones)
        self._keys: dict[object, tuple[str | None, str | None]] = {}

    def _read(self, e: Entity) -> None:
        # the same written name always folds to the same key, so only names not seen in an
        # earlier entity can place one (first entity wins: input order)
        names = {e.canonical, *e.aliases}
        names.update(map(_MENTION_TEXT, e.mentions))
        names.update(map(_MENTION_CANONICAL, e.mentions))
        names -= self._names_seen
        if names:
            self._names_seen |= names
            for name in names:
                self._by_alias.setdefault(simplified_key(name), e)

    def alias(self, name: str) -> Entity | None:
        """The first entity (in input order) with a name that folds to ``name``."""
        ent = self._by_alias.get(name)
        if ent is None:
            for e in self._unread:
                self._read(e)
                ent = self._by_alias.get(name)
                if ent is not None:
                    break
        return ent

    @property
    def by_alias(self) -> dict[str, Entity]:
        """Every folded entity name -> the first entity with it."""
        for e in self._unread:
            self._read(e)
        return self._by_alias

    def key(self, fact: Fact) -> tuple[str | None, str | None]:
        """``(key, display name)``: entity ids first, then the canonical subject string, else null;
        a subject listed in ``[subject_equivalents]`` is compared as its equivalent."""
        ck = (fact.subject, *fact.subject_ids) if fact.subject_ids else fact.subject
        got = self._keys.get(ck)
        if got is None:
            got = self._keys[ck] = self._resolve(fact)
        return got

    def _resolve(self, fact: Fact) -> tuple[str | None, str | None]:
        key, name = self._key(fact)
        if name is not None and name in self.equivalents:
            target = self.equivalents[name]
            ent = self.alias(target)
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
            ent = self.alias(name)
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


_UNSEEN = object()


class _UnitMaker:
    """Builds units, computing each distinct written figure's bounds, subject key and block once
    (the same figure, subject and label recur across a corpus)."""

    __slots__ = ("r", "subjects", "bounds", "blocks")

    def __init__(self, r: Rules, subjects: Subjects) -> None:
        self.r = r
        self.subjects = subjects
        #: (text, value, qualifier, low, high) -> (lo, hi, asinh(lo), asinh(hi)), or None
        self.bounds: dict[tuple, tuple[float, float, float, float] | None] = {}
        #: (kind, unit, metric, object, cumulative) -> block key
        self.blocks: dict[tuple, tuple] = {}

    def bounds_of(self, f: Fact) -> tuple[float, float, float, float] | None:
        ikey = (f.text, f.value, f.qualifier, f.low, f.high)
        try:
            return self.bounds[ikey]
        except KeyError:
            b = bounds(f, self.r)
            got = self.bounds[ikey] = None if b is None else (b[0], b[1], asinh(b[0]), asinh(b[1]))
            return got

    def block(self, f: Fact) -> tuple:
        bkey = (f.kind, f.unit, f.metric, f.object, f.cumulative)
        block = self.blocks.get(bkey)
        if block is None:
            r = self.r
            metric = r.metric(f.metric)
            metric_key: object = ("?", f.object) if metric is None and r.null_metric_uses_object else metric
            block = self.blocks[bkey] = (f.kind, r.unit_family(f.unit), metric_key, bool(f.cumulative))
        return block

    def single(self, f: Fact, home: str) -> Unit:
        """The unit of a fact without copies (the common case, without the copy bookkeeping)."""
        got = self.bounds.get((f.text, f.value, f.qualifier, f.low, f.high), _UNSEEN)  # bounds_of(), inline
        if got is _UNSEEN:
            got = self.bounds_of(f)
        block = self.blocks.get((f.kind, f.unit, f.metric, f.object, f.cumulative))  # block(), inline
        if block is None:
            block = self.block(f)
        skey, sname = self.subjects.key(f)
        if f.period_start is not None and f.period_end is not None:
            period: Period | None = (f.period_start, f.period_end)
        elif f.year is not None:
            period = (f.year, f.year)
        elif f.period_end is not None:
            period = (f.period_end, f.period_end)
        else:
            period = None
        return Unit([f], f, got, block, period, skey, sname, _NO_NOTES, home)

    def copies(self, facts: list[Fact], notes: list[str], home: str) -> Unit:
        """The unit of a fact and its copies' twins."""
        anchor = anchor_of(facts)
        lo = hi = 0.0
        valued = True
        for i, f in enumerate(facts):
            b = self.bounds_of(f)
            if b is None:
                valued = False
                break
            if i == 0:
                lo, hi = b[0], b[1]
            else:  # copies matched on equal values: the intersection is their common reading
                lo = max(lo, b[0])
                hi = max(lo, min(hi, b[1]))
        period = next((p for p in map(_period, facts) if p is not None), None)
        skey, sname = None, None
        for f in facts:
            skey, sname = self.subjects.key(f)
            if skey is not None:
                break
        got = (lo, hi, asinh(lo), asinh(hi)) if valued else None
        return Unit(facts, anchor, got, self.block(anchor), period, skey, sname, sorted(set(notes)), home)

    def unit(self, spec: Spec) -> Unit:
        home, notes, facts = spec
        return self.single(facts[0], home) if len(facts) == 1 else self.copies(facts, list(notes), home)


#: One unit to build: ``(home, notes, facts)``: the representative document of its republished-copy
#: cluster, why copies' facts joined it, and its facts (one, or a fact and its copies' twins).
Spec = tuple[str, Sequence[str], list[Fact]]


def unit_specs(results: Iterable[DocumentResult], reps: dict[str, str], why: dict[str, str], r: Rules,
               n: int = 1, directory: str | None = None) -> Iterator[Spec]:
    """Every fact in exactly one unit (:func:`copy_units`): the units of documents without copies
    as they come; the documents of copy clusters are gathered by cluster (in memory, or in ``n``
    parts in ``directory``) and their units follow."""
    size: dict[str, int] = defaultdict(int)
    for rep in reps.values():
        size[rep] += 1
    held = Parts(n, directory, "copies", pack_facts_last, unpack_facts_last)  #: (rep, doc, facts)
    for res in results:
        if not res.facts:
            continue
        doc = res.document.path
        rep = reps.get(doc, doc)
        if size[rep] <= 1:
            yield from copy_units(rep, {doc: res.facts}, why, r)
        else:
            held.put(zlib.crc32(rep.encode("utf-8")) % n, (rep, doc, res.facts))
    held.close()
    for i in range(n):
        clusters: dict[str, dict[str, list[Fact]]] = defaultdict(dict)
        for rep, doc, facts in map(held.unpack, held.take(i)):
            clusters[rep].setdefault(doc, []).extend(facts)
        for rep, by_doc in clusters.items():
            yield from copy_units(rep, by_doc, why, r)


def copy_units(rep: str, by_doc: dict[str, list[Fact]], why: dict[str, str], r: Rules) -> Iterator[Spec]:
    """The units of one republished-copy cluster (``by_doc``: the facts of its documents that have
    any): copies' facts matched to the representative's by position (the n-th figure of that kind,
    unit family, value and qualifier), each unmatched fact a unit of its own."""
    if len(by_doc) == 1:  # no copies: every fact is its own unit
        for f in next(iter(by_doc.values())):
            yield rep, _NO_NOTES, [f]
        return
    units: list[list[Fact]] = []
    unit_notes: list[list[str]] = []
    rep_facts = sorted(by_doc.get(rep, []), key=lambda f: (f.start, f.end))
    slots: dict[tuple, list[int]] = defaultdict(list)
    for f in rep_facts:
        slots[_value_key(f, r)].append(len(units))
        units.append([f])
        unit_notes.append([])
    for doc in sorted(d for d in by_doc if d != rep):
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
    yield from zip([rep] * len(units), unit_notes, units)


def anchor_of(facts: list[Fact]) -> Fact:
    """The fact whose labels speak for a unit: the first with a metric (the representative's)."""
    if len(facts) == 1:
        return facts[0]
    return next((f for f in facts if f.metric), facts[0])


#: Rows whose interval is wider than this (in asinh units, ~ a factor e) are kept out of the bisect
#: index and scanned linearly: one "1至100万" range must not widen every neighbour window.
_WIDE = 1.0


class _Level:
    """The rows of one width class of a :class:`_SlotIndex`, sorted by start."""

    __slots__ = ("starts", "ids", "maxw")

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ids: list[int] = []
        self.maxw = 0.0


#: Upper bounds of the width classes of a row index (asinh units, about relative widths: exact
#: figures, then 0.01 %, 0.1 %, 1 %, 10 % wide …); rows wider than :data:`_WIDE` are kept apart.
_LEVELS = (1e-9, 1e-4, 1e-3, 1e-2, 0.1, _WIDE)


class _SlotIndex:
    """The rows of one (period, subject) slot of a block, sorted by the asinh of their start.

    asinh is monotone and about log for large values, so tolerance windows (a few % of the value)
    have about the same width at 100元 and at 100亿元, and the bisect window stays narrow.
    Rows are kept in width classes (:data:`_LEVELS`), each bisected with a window as wide as its
    own widest row: one window as wide as the slot's widest row (a range, a loose 近/余 figure)
    held hundreds of exact figures in big blocks, which made clustering quadratic.
    """

    __slots__ = ("levels", "classes", "wide")

    def __init__(self) -> None:
        self.levels: list[_Level] = []  #: the width classes that have had a row
        self.classes: dict[int, _Level] = {}  #: class number -> its level
        self.wide: list[int] = []

    def level(self, w: float) -> _Level:
        """The width class of a row ``w`` wide (made when missing)."""
        c = bisect_left(_LEVELS, w)
        lv = self.classes.get(c)
        if lv is None:
            lv = self.classes[c] = _Level()
            self.levels.append(lv)
        return lv

    def add(self, rid: int, tlo: float, thi: float) -> None:
        """Index row ``rid`` whose initial interval is ``[sinh(tlo), sinh(thi)]``."""
        w = thi - tlo
        if w > _WIDE:
            self.wide.append(rid)
            return
        lv = self.level(w)
        idx = bisect_right(lv.starts, tlo)
        lv.starts.insert(idx, tlo)
        lv.ids.insert(idx, rid)
        if w > lv.maxw:
            lv.maxw = w

    def remove(self, rid: int, tlo: float, thi: float) -> None:
        w = thi - tlo
        if w > _WIDE:
            self.wide.remove(rid)
            return
        lv = self.level(w)
        idx = bisect_left(lv.starts, tlo)
        while lv.ids[idx] != rid:
            idx += 1
        del lv.starts[idx], lv.ids[idx]

    def near(self, tlo: float, thi: float, slack: float) -> list[int]:
        """Ids of rows whose initial interval may meet ``[sinh(tlo), sinh(thi)]``; ``slack`` is
        ``1e-9 * max(abs(tlo), abs(thi), 1.0)``."""
        out = []
        for lv in self.levels:
            starts = lv.starts
            out += lv.ids[bisect_left(starts, tlo - lv.maxw - slack) : bisect_right(starts, thi + slack)]
        return out + self.wide if self.wide else out


_BY_START = attrgetter("tlo", "rid")


class _BlockIndex:
    """The rows of one block indexed four ways, so that every unit finds all rows whose slot is
    compatible with its own (equal, or null on either side) in at most four bisect lookups:
    by exact slot, by subject (any period), by period (any subject), and all rows.

    Units are clustered fully-specified first, then with one null (year or subject), then with
    both: fully-specified units look up exact slots only, units with one null the subject or period
    index, the others (and distinctive running totals of another subject) all rows. So each index
    is built in bulk when first looked up, and kept up to date only while it can still be looked up.
    """

    __slots__ = ("rows", "nulls", "slot", "subj", "per", "all", "ghosts", "looks", "adds", "by_start")

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows  #: the block's rows so far (the clustering appends to it)
        self.nulls = 0  #: null slot fields of the units clustered so far (they come in this order)
        self.slot: dict[tuple, _SlotIndex] = {}  #: by (period, subject)
        self.subj: dict[str | None, _SlotIndex] | None = None  #: by subject, once built
        self.per: dict[Period | None, _SlotIndex] | None = None  #: by period, once built
        self.all: _SlotIndex | None = None  #: every row, once built
        #: the widest row of each width class that left a subject or period index when its slot was
        #: filled: the windows of an index built later must be as wide as if it had been kept all along
        self.ghosts: dict[tuple, float] = {}
        self.looks: dict[tuple, list[_SlotIndex]] = {}  #: (period, subject) -> its lookup()
        self.adds: dict[tuple, list[_SlotIndex]] = {}  #: (period, subject) -> its _indexes(), for now
        self.by_start: list[Row] = []  #: the rows of the last build, by start

    def _indexes(self, period: Period | None, subject: str | None) -> list[_SlotIndex]:
        """The live indexes a row of this slot belongs in (created when missing)."""
        out = []
        if self.nulls == 0:
            slot = self.slot.get((period, subject))
            if slot is None:
                slot = self.slot[(period, subject)] = _SlotIndex()
            out.append(slot)
        if self.nulls < 2:
            if self.subj is not None:
                ix = self.subj.get(subject)
                if ix is None:
                    ix = self.subj[subject] = _SlotIndex()
                out.append(ix)
            if self.per is not None:
                ix = self.per.get(period)
                if ix is None:
                    ix = self.per[period] = _SlotIndex()
                out.append(ix)
        if self.all is not None:
            out.append(self.all)
        return out

    def set_nulls(self, nulls: int) -> None:
        """The clustering has reached units with ``nulls`` null slot fields."""
        self.nulls = nulls
        self.adds.clear()

    def add(self, row: Row) -> None:
        key = (row.period, row.subject)
        ixs = self.adds.get(key)
        if ixs is None:
            ixs = self.adds[key] = self._indexes(row.period, row.subject)
        rid, tlo, thi = row.rid, row.tlo, row.thi
        for ix in ixs:
            ix.add(rid, tlo, thi)

    def remove(self, row: Row) -> None:
        w = row.thi - row.tlo
        if w <= _WIDE:
            c = bisect_left(_LEVELS, w)  # (per width class: each class has its own window)
            for key in (("subj", row.subject, c), ("per", row.period, c)):
                if w > self.ghosts.get(key, 0.0):
                    self.ghosts[key] = w
        for ix in self._indexes(row.period, row.subject):
            ix.remove(row.rid, row.tlo, row.thi)

    def _build(self, family: str) -> dict:
        """Bulk-build the subject or period index (or all rows, under None) from the rows so far."""
        out: dict = defaultdict(_SlotIndex)
        by_start = self.by_start  # the rows by (start, id): sorted again only past the last build
        if len(by_start) < len(self.rows):
            by_start.extend(self.rows[len(by_start) :])
            by_start.sort(key=_BY_START)
        for row in by_start:
            if not row.units[0].valued:
                continue
            key = row.subject if family == "subj" else row.period if family == "per" else None
            out[key].add(row.rid, row.tlo, row.thi)  # (in start order: each goes at the end)
        for (fam, key, _), w in self.ghosts.items():
            if fam == family:
                lv = out[key].level(w)
                if w > lv.maxw:
                    lv.maxw = w
        return dict(out)

    def by_subject(self) -> dict[str | None, _SlotIndex]:
        if self.subj is None:
            self.subj = self._build("subj")
            self.adds.clear()
        return self.subj

    def by_period(self) -> dict[Period | None, _SlotIndex]:
        if self.per is None:
            self.per = self._build("per")
            self.adds.clear()
        return self.per

    def every(self) -> _SlotIndex:
        if self.all is None:
            self.all = self._build("all").get(None) or _SlotIndex()
            self.adds.clear()
        return self.all

    def lookup(self, period: Period | None, subject: str | None) -> list[_SlotIndex]:
        """The indexes holding the rows whose slot is compatible with ``(period, subject)`` (the
        same ones for the rest of the clustering: an index missing yet is made empty)."""
        key = (period, subject)
        found = self.looks.get(key)
        if found is None:
            if period is not None and subject is not None:
                slots = self.slot
                keys = (key, (period, None), (None, subject), (None, None))
                found = [slots.get(k) or slots.setdefault(k, _SlotIndex()) for k in keys]
            elif subject is not None:
                subj = self.by_subject()
                found = [subj.get(k) or subj.setdefault(k, _SlotIndex()) for k in (subject, None)]
            elif period is not None:
                per = self.by_period()
                found = [per.get(k) or per.setdefault(k, _SlotIndex()) for k in (period, None)]
            else:
                found = [self.every()]
            self.looks[key] = found
        return found


#: clustering order of units (see :attr:`Unit.order`)
_order_key = attrgetter("order")

#: Candidate windows longer than this are tested over numpy columns (:class:`_Columns`): units
#: without year and subject see every row of their block near their value, and common small
#: values (3 企业, 6 家) gather thousands of rows in big corpora.
_VECTOR = 48


class _Columns:
    """Per row of a block (by row id), as numpy columns: its current core, the sentence of its
    first unit, whether it has more sentences, and its slot. :meth:`scan` tests a long candidate
    window at once with the very float operations of the scalar loop in :func:`_cluster_block`."""

    __slots__ = ("lo", "hi", "sent", "more", "slot", "sentences", "slots", "np")

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.lo = np.zeros(64)
        self.hi = np.zeros(64)
        self.sent = np.full(64, -1, dtype=np.int64)  #: sentence id of the row's first unit (-1: none)
        self.more = np.zeros(64, dtype=bool)  #: the row has units of other sentences
        self.slot = np.zeros(64, dtype=np.int64)  #: slot id of the row's (period, subject)
        self.sentences: dict[tuple, int] = {}
        self.slots: dict[tuple, int] = {}

    def sentence_id(self, skey: tuple) -> int:
        sid = self.sentences.get(skey)
        if sid is None:
            sid = self.sentences[skey] = len(self.sentences)
        return sid

    def _slot_id(self, slot: tuple) -> int:
        got = self.slots.get(slot)
        if got is None:
            got = self.slots[slot] = len(self.slots)
        return got

    def add(self, rid: int, lo: float, hi: float, sid: int, slot: tuple) -> None:
        """A new row ``rid``: core ``[lo, hi]``, first sentence ``sid`` (-1: none), ``slot``."""
        if rid >= len(self.lo):
            np, n = self.np, max(2 * len(self.lo), rid + 1)
            self.lo, self.hi = np.resize(self.lo, n), np.resize(self.hi, n)
            self.sent, self.slot = np.resize(self.sent, n), np.resize(self.slot, n)
            self.more = np.resize(self.more, n)
        self.lo[rid] = lo
        self.hi[rid] = hi
        self.sent[rid] = sid
        self.more[rid] = False
        self.slot[rid] = self._slot_id(slot)

    def update(self, row: Row) -> None:
        """A unit joined ``row``: its core, sentences and slot may have changed."""
        rid = row.rid
        self.lo[rid] = row.lo
        self.hi[rid] = row.hi
        self.more[rid] = bool(row.more_sentences)
        self.slot[rid] = self._slot_id((row.period, row.subject))

    def scan(self, cids: list[int], lo: float, hi: float, amax: float, eps: float, sid: int,
             skey: tuple | None, rows: list[Row]) -> list[int]:
        """The rows of ``cids`` whose core meets ``[lo, hi]`` (more than an end point in common,
        with relative float slack) and that have no unit of sentence ``skey`` (id ``sid``), in
        ``cids`` order. ``amax`` is ``max(abs(lo), abs(hi), 1.0)``."""
        np = self.np
        ids = np.array(cids, dtype=np.intp)
        rlo, rhi = self.lo[ids], self.hi[ids]
        ok = (rlo <= hi) & (lo <= rhi)
        with np.errstate(invalid="ignore"):  # inf - inf is nan, silently, as with Python floats
            slack = eps * np.maximum(np.maximum(np.abs(rlo), np.abs(rhi)), amax)
            ok &= (np.maximum(lo, rlo) < np.minimum(hi, rhi) - slack) | (
                (np.abs(lo - rlo) <= slack) & (np.abs(hi - rhi) <= slack))
        if skey is None:
            return ids[ok].tolist()
        ok &= self.sent[ids] != sid
        out = ids[ok]
        flagged = self.more[out]
        if not flagged.any():
            return out.tolist()
        return [cid for cid, f in zip(out.tolist(), flagged.tolist()) if not (f and skey in rows[cid].more_sentences)]

    def in_slot(self, cids: list[int], slot: tuple) -> list[int]:
        """The rows of ``cids`` whose slot is ``slot``."""
        got = self.slots.get(slot)
        if got is None:
            return []
        ids = self.np.array(cids, dtype=self.np.intp)
        return ids[self.slot[ids] == got].tolist()


def _cluster_block(units: list[Unit], r: Rules) -> list[Row]:
    """Greedy interval clustering of one block (see the module docstring). ``units`` come in
    :func:`_order_key` order."""
    rows: list[Row] = []
    index = _BlockIndex(rows)
    cols = _Columns()
    eps = r.epsilon
    override_digits = r.subject_override_digits
    for u in units:
        if not u.valued:
            rows.append(Row(u, rules=["no value: not compared"]))
            continue
        lo, hi = u.lo, u.hi
        period, subject = u.period, u.subject
        nulls = (period is None) + (subject is None)
        if nulls > index.nulls:
            index.set_nulls(nulls)
        a = u.anchor
        skey = (u.home, a.article, a.sentence) if a.sentence else None
        sid = -2 if skey is None else cols.sentence_id(skey)  # (-2: no row is excluded)
        tlo, thi = u.tlo, u.thi
        tslack = 1e-9 * max(abs(tlo), abs(thi), 1.0)
        alo, ahi = abs(lo), abs(hi)
        cands: list[int] = []  # ids of the compatible rows
        for ix in index.lookup(period, subject):
            cids = []  # ix.near(), inline
            for lv in ix.levels:
                starts = lv.starts
                cids += lv.ids[bisect_left(starts, tlo - lv.maxw - tslack) : bisect_right(starts, thi + tslack)]
            if ix.wide:
                cids += ix.wide
            if len(cids) > _VECTOR:  # the same tests, over numpy columns of the rows
                cands += cols.scan(cids, lo, hi, max(alo, ahi, 1.0), eps, sid, skey, rows)
                continue
            for cid in cids:
                row = rows[cid]
                rlo, rhi = row.lo, row.hi
                if rlo <= hi and lo <= rhi:
                    # meets(): more than an end point in common, with relative float slack
                    slack = eps * max(alo, ahi, abs(rlo), abs(rhi), 1.0)
                    if (max(lo, rlo) < min(hi, rhi) - slack
                            or (abs(lo - rlo) <= slack and abs(hi - rhi) <= slack)):
                        if skey is None or not (skey == row.sentence or (row.more_sentences and skey in row.more_sentences)):
                            cands.append(cid)  # (one sentence never repeats a figure)
        override = ""
        if not cands and subject is not None and override_digits and u.block[3] and isinstance(u.block[2], str):
            found, override = _other_subject(u, rows, index, r)
            cands = [x.rid for x in found]
        chosen: Row | None = None
        if len(cands) == 1:
            chosen = rows[cands[0]]
        elif cands:
            if len(cands) > _VECTOR:
                same = cols.in_slot(cands, (period, subject))
            else:
                same = [c for c in cands if rows[c].period == period and rows[c].subject == subject]
            if len(same) == 1:
                chosen = rows[same[0]]
            else:
                u.notes = [*u.notes, f"ambiguous: value compatible with {len(cands)} rows, kept apart"]
        if chosen is not None and not _may_attach(u, chosen, r):
            chosen = None
        if chosen is None:
            row = Row(u, len(rows), skey)
            rows.append(row)
            index.add(row)
            cols.add(row.rid, lo, hi, sid if sid >= 0 else -1, (period, subject))
            continue
        ca = chosen.units[0]
        rule = rule_between(a, u, ca.anchor, ca, r) if ca.valued else "no value"  # (units explain as intervals)
        if a.doc == ca.anchor.doc and a.article == ca.anchor.article:
            rule = f"repeated in the same article, {rule}"
        rule = override + rule
        if period is None and chosen.period is not None:
            rule += "; no year: attached to the only compatible dated row"
        if subject is None and chosen.subject is not None:
            rule += "; no subject: attached to the only compatible row with one"
        if chosen.rules is None:
            chosen.rules = [rule]
        else:
            chosen.rules.append(rule)
        chosen.units.append(u)
        if skey is not None:
            if chosen.more_sentences is None:
                chosen.more_sentences = set()
            chosen.more_sentences.add(skey)
        chosen.lo, chosen.hi = max(chosen.lo, lo), min(chosen.hi, hi)
        if chosen.hi < chosen.lo:  # only float slack can do this; keep the core a point
            chosen.hi = chosen.lo
        if (chosen.period is None and period is not None) or (chosen.subject is None and subject is not None):
            index.remove(chosen)
            if chosen.period is None:
                chosen.period = period
            if chosen.subject is None:
                chosen.subject, chosen.subject_name = subject, u.subject_name
            index.add(chosen)
        cols.update(chosen)
    return rows


def _may_attach(u: Unit, row: Row, r: Rules) -> bool:
    """A unit filling its missing year or subject from a row of other articles needs a distinctive
    value (``[slot] attach_digits``); within its own article it does not."""
    fills = (u.period is None and row.period is not None) or (u.subject is None and row.subject is not None)
    if not fills or any(x.home == u.home for x in row.units):
        return True
    return max(u.significant_digits(), row.units[0].significant_digits()) >= r.attach_digits


def _other_subject(u: Unit, rows: list[Row], index: _BlockIndex, r: Rules) -> tuple[list[Row], str]:
    """The one compatible running total of another subject a distinctive running total may join
    (``[slot] subject_override_digits``), or none."""
    lo, hi = u.lo, u.hi
    tlo, thi = u.tlo, u.thi
    tslack = 1e-9 * max(abs(tlo), abs(thi), 1.0)
    alo, ahi = abs(lo), abs(hi)
    eps = r.epsilon
    home = u.home
    need = r.subject_override_digits
    if u.period is not None:
        per = index.by_period()
        ixs = [per.get(u.period), per.get(None)]
    else:
        ixs = [index.every()]
    found = []
    for ix in ixs:
        for cid in ix.near(tlo, thi, tslack) if ix is not None else ():
            row = rows[cid]
            if row.subject is None or row.subject == u.subject:
                continue
            rlo, rhi = row.lo, row.hi  # meets(), as in _cluster_block
            slack = eps * max(alo, ahi, abs(rlo), abs(rhi), 1.0)
            if not (max(lo, rlo) < min(hi, rhi) - slack or (abs(lo - rlo) <= slack and abs(hi - rhi) <= slack)):
                continue
            if max(u.significant_digits(), row.units[0].significant_digits()) < need:
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


#: blake2b with a 6-byte digest, copied per id (cheaper than parsing the keyword each time)
_ROW_HASH = hashlib.blake2b(digest_size=6)


def _row_id(facts: list[Fact]) -> str:
    ids = facts[0].id if len(facts) == 1 else "|".join(sorted(f.id for f in facts))
    h = _ROW_HASH.copy()
    h.update(ids.encode("utf-8"))
    return "r-" + h.hexdigest()


def _flag_conflicts(rows: list[Row], r: Rules) -> None:
    groups: dict[tuple, list[Row]] = defaultdict(list)
    require_subject, require_period = r.require_subject, r.require_period
    for row in rows:
        u = row.units[0]
        if not u.valued:
            continue
        if require_subject and row.subject is None:
            continue
        when = row.as_of if u.block[3] else row.period
        if require_period and when is None:
            continue
        groups[(u.block, row.subject, when)].append(row)
    eps = r.epsilon
    same_article_counts = r.same_article_is_conflict
    max_rows = r.conflict_max_rows
    for members in groups.values():
        if len(members) < 2 or len(members) > max_rows:
            continue
        members.sort(key=lambda x: (x.lo, x.id))
        # the one article (copies are one article) of a row's mentions, or None when several:
        # two rows are the same article's figures when both have the same one
        single = []
        for m in members:
            articles = {(x.home, x.anchor.article) for x in m.units}
            single.append(articles.pop() if len(articles) == 1 else None)
        for i, a in enumerate(members):
            alo, ahi = a.lo, a.hi
            aabs = max(abs(alo), abs(ahi))
            one = None if same_article_counts else single[i]
            for j in range(i + 1, len(members)):
                b = members[j]
                blo, bhi = b.lo, b.hi  # meets(), as in _cluster_block
                slack = eps * max(aabs, abs(blo), abs(bhi), 1.0)
                if max(alo, blo) < min(ahi, bhi) - slack or (abs(alo - blo) <= slack and abs(ahi - bhi) <= slack):
                    continue
                if one is not None and single[j] == one:
                    continue
                for x, y in ((a, b), (b, a)):
                    if x.conflict_with is None:
                        x.conflict_with = []
                    x.conflict_with.append(y.id)
    by_id = {row.id: row for row in rows if row.conflict_with}
    for row in by_id.values():
        others = row.conflict_with
        others.sort()
        said = ", ".join(f"{f.text} in {f.doc}" for f in (by_id[i].sorted_facts[0] for i in others[:3]))
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        note = f"conflict: {row.sorted_facts[0].text} here vs {said}{more} (same metric, subject and period)"
        row.note = f"{row.note}; {note}" if row.note else note


class _Recorder:
    """Finishes clustered rows (:meth:`finish`: sorted mentions, id, as-of date, order, rule, note)
    and makes their :class:`Reconciled` records (:meth:`record`), one at a time when asked: a
    block's rows wait without them."""

    __slots__ = ("r", "metrics", "year_ends", "kinds")

    def __init__(self, r: Rules) -> None:
        self.r = r
        self.kinds = {k: i for i, k in enumerate(KINDS)}
        self.metrics: dict[str | None, str | None] = {}  #: label -> canonical metric
        self.year_ends: dict[int, str] = {}  #: year -> its as-of date when no article date is in it

    def finish(self, row: Row) -> None:
        """Fill ``sorted_facts``, ``id``, ``as_of``, ``order``, ``metric``, ``rule`` and ``note``
        of a clustered row."""
        units = row.units
        if len(units) == 1 and len(units[0].facts) == 1:  # one mention: nothing to sort or join
            facts = units[0].facts
            f = facts[0]
            row.sorted_facts = facts
            h = _ROW_HASH.copy()  # _row_id() of one fact
            h.update(f.id.encode("utf-8"))
            row.id = "r-" + h.hexdigest()
            d = f.date
            if row.period is not None:  # _as_of() of one date
                y = row.period[1]
                if d and d[:4] == str(y):
                    row.as_of = d
                else:
                    as_of = self.year_ends.get(y)
                    if as_of is None:
                        as_of = self.year_ends[y] = f"{y:04d}-{self.r.year_end}"
                    row.as_of = as_of
            else:
                row.as_of = d if d else None
            row.rule = "single mention" if not row.rules else row.rules[0]
            notes = units[0].notes
        else:
            facts = [f for u in units for f in u.facts]
            if len(facts) > 1:
                facts.sort(key=lambda f: (f.doc, f.start, f.end))
            row.sorted_facts = facts
            row.id = _row_id(facts)
            row.as_of = _as_of(row, self.r)
            if len(facts) == 1:
                row.rule = "single mention" if not row.rules else row.rules[0]
                notes = units[0].notes
            else:
                parts = [x for u in units for x in u.copy_rules] + (row.rules or [])
                row.rule = "; ".join(dict.fromkeys(parts)) if parts else None
                notes = list(dict.fromkeys(n for u in units for n in u.notes))
        row.note = "; ".join(notes) if notes else None
        a = units[0].anchor
        first = facts[0]
        row.order = (first.doc, first.start, self.kinds.get(a.kind, 9), row.id)
        label = a.metric
        metric = self.metrics.get(label, False)
        if metric is False:
            metric = self.metrics[label] = self.r.metric(label)
        row.metric = metric

    def record(self, row: Row) -> Reconciled:
        """The record of a finished row (conflicts flagged)."""
        a = row.units[0].anchor
        ps = pe = year = None
        period = row.period
        if period is not None:
            if period[0] == period[1]:
                year = period[0]
            else:
                ps, pe = period
        subject = row.subject
        subject_id = subject[3:] if subject and subject.startswith("id:") else None
        facts = row.sorted_facts
        sources = [Source(f.id, f.doc, f.article, f.start, f.end, f.text, f.value, f.date) for f in facts]
        # positional, in the field order of Reconciled (a call with twenty keywords costs more)
        return Reconciled(row.id, a.kind, row.metric, row.subject_name, subject_id, year, ps, pe,
                          bool(a.cumulative), a.unit, a.value, a.low, a.high, a.qualifier, len(facts),
                          sources, row.rule, bool(row.conflict_with), row.conflict_with or [], row.note)


def cluster_units(specs: Iterable[Spec], make: _UnitMaker, finish: _Recorder) -> list[Row]:
    """Block, compare and cluster the units of ``specs``, which hold every unit of their blocks:
    the finished rows (conflicts flagged; ``finish.record(row)`` makes a row's record), in output
    order."""
    r = make.r
    blocks: dict[tuple, list[Unit]] = defaultdict(list)
    for spec in specs:
        u = make.unit(spec)
        blocks[u.block].append(u)
    rows: list[Row] = []
    for key in sorted(blocks, key=repr):
        members = blocks[key]
        members.sort(key=_order_key)  # the block's clustering order (stable: ties keep input order)
        rows.extend(_cluster_block(members, r))
    done = finish.finish
    for row in rows:
        done(row)
    rows.sort(key=attrgetter("order"))
    _flag_conflicts(rows, r)
    return rows


def cluster_figures(results: list[DocumentResult], reps: dict[str, str], why: dict[str, str],
                    entities: list[Entity] | None = None) -> list[Row]:
    """Block, compare and cluster every fact of ``results`` in memory (see :func:`cluster_units`)."""
    r = rules()
    make = _UnitMaker(r, Subjects(entities, r.subject_equivalents))
    return cluster_units(unit_specs(results, reps, why, r), make, _Recorder(r))
