"""Reconciling in parts, so that memory follows the biggest block and not the corpus (issue 4).

Figures of different blocks (``(kind, unit family, canonical metric, cumulative)``, see
:mod:`.figures`) are never compared and never conflict, so the reconciler needs every unit of a
block together, never the whole corpus. :func:`reconcile_parts` reads the results twice (they can
come back from disk: :meth:`jinlong_extract.spool.RunSpool.results`):

1. republished copies (:func:`.documents.copy_clusters`: paths and fingerprints only);
2. each fact becomes a unit (a copy's facts join the representative's; the documents of a copy
   cluster are gathered in parts of their own first, by cluster), and each unit goes to the part
   of its block;

then reconciles part after part, and inside a part block after block: the block's units are
clustered, its rows recorded (conflicts flagged) and packed; the part's rows are written out in
output order and forgotten; the series keep only the few fields they need of each
running total. :meth:`Reconciliation.rows` merges the parts' rows back into one output order.

With parts on disk, each step (copy detection, dealing, each part, up to ``jobs`` at once, and
the series) runs in a forked child where the platform allows (else here, with the same result;
the biggest parts first, the next as soon as any is done):
what a step allocates dies with it, and this process stays at its starting size (freed memory is
seldom given back to the system, so one process doing every step keeps the high-water mark of
all of them).

Without a directory, or for fewer than :data:`PART_FACTS` facts, there is one part, in memory:
the in-memory :func:`jinlong_extract.reconcile.reconcile` is this with one part. The rows are
the same whatever the number of parts.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import pickle
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

from orjson import dumps, loads

from jinlong_extract.engine.forked import Task, first_done
from jinlong_extract.engine.serial import _FACT, BATCH, Batches, Parts, _getter, as_is, unpack_facts_last
from jinlong_extract.export.tables import Encoded
from jinlong_extract.records import FACT_COLUMNS, DocumentResult, Entity, Reconciled, SeriesPoint, Source
from jinlong_extract.reconcile.documents import copy_clusters
from jinlong_extract.reconcile.figures import Subjects, _Recorder, _UnitMaker, anchor_of, cluster_units, unit_specs
from jinlong_extract.reconcile.rules import rules
from jinlong_extract.reconcile.series import SeriesBuilder, reads_labels

#: Facts per part. A part is read back packed (about 1 KB a fact) and clustered one block at a
#: time (about 2.6 KB a fact of the block while it is); a block is never split, so the biggest
#: block sets the floor.
PART_FACTS = 10_000
#: At most this many parts (open files while the units are dealt): beyond, parts grow instead.
MAX_PARTS = 128
#: A part's packed rows wait in memory up to this many sources in all (about 2 KB each), the
#: rest in a scratch file (a row written and read back alone costs more than its sources) ...
HELD_SOURCES = 20_000
#: ... except the rows of a block of more units than this: they are the part's first (its
#: biggest blocks go first), so that no row is held while such a block's objects are.
HELD_BLOCK = 2_000

_RECORD = _getter(Reconciled)
_POINT = _getter(SeriesPoint)
_SOURCES = list(Reconciled.__dataclass_fields__).index("sources")
_first = itemgetter(0)
_second = itemgetter(1)


class _Scratch:
    """A file of pickled items read back one by one, in any order, by where they were written."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fh = open(path, "w+b")

    def add(self, item: Any) -> int:
        at = self.fh.tell()
        pickle.dump(item, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
        return at

    def get(self, at: int) -> Any:
        self.fh.seek(at)
        return pickle.load(self.fh)

    def close(self) -> None:
        self.fh.close()
        os.unlink(self.path)


_SENTENCE = FACT_COLUMNS.index("sentence")
_SUBJECT_IDS = FACT_COLUMNS.index("subject_ids")
#: fact fields with few distinct values (and the document path, shared by its facts)
_REPEATED = tuple(FACT_COLUMNS.index(c) for c in ("doc", "kind", "qualifier", "unit", "currency", "object",
                                                  "metric", "subject", "date", "year_source"))


class _UnitPacker:
    """How units wait in the part files: ``(block number, labels, home, notes, facts)``, the facts
    as value tuples without what the reconciler never reads. A fact's sentence is only asked
    whether it is another fact's (one sentence never repeats a figure), so it waits as a digest,
    except in blocks whose series look for a metric label in it (``labels``: running totals
    without a canonical metric, see :mod:`.series`). Repeated values are one object, so each batch
    of a part file holds them once. (The biggest block of the 50 MB bench corpus: 2.7 KB a fact
    while it is clustered before, 2.0 KB now.)"""

    def __init__(self) -> None:
        self.shared: dict[Any, Any] = {}

    def pack(self, item: tuple[Any, ...]) -> tuple[Any, ...]:
        number, labels, home, notes, facts = item
        share = self.shared.setdefault
        packed = []
        for f in facts:
            t = list(_FACT(f))
            for i in _REPEATED:
                t[i] = share(t[i], t[i])
            t[_SUBJECT_IDS] = share(tuple(t[_SUBJECT_IDS]), t[_SUBJECT_IDS]) if t[_SUBJECT_IDS] else ()
            sentence = t[_SENTENCE]
            if sentence and not labels:
                t[_SENTENCE] = hashlib.blake2b(sentence.encode("utf-8"), digest_size=8).digest()
            packed.append(tuple(t))
        return number, labels, home, notes, packed

    unpack = staticmethod(unpack_facts_last)


def _pack_row(item: tuple[tuple, Reconciled]) -> tuple[tuple, tuple[Any, ...]]:
    """``(order, record)`` -> ``(order, the record's table row)``: its field values, the sources
    already encoded as the JSON the table holds (:class:`Encoded`), so a row read back from disk
    is written without building any record (and its sources are encoded once, here)."""
    order, rec = item
    t = _RECORD(rec)
    sources = rec.sources
    return order, (*t[:_SOURCES], Encoded(dumps(sources), len(sources)), *t[_SOURCES + 1:])


def _record(row: tuple[Any, ...]) -> Reconciled:
    """The record of a table row made by :func:`_pack_row`."""
    sources = [Source(**d) for d in loads(row[_SOURCES].raw)]
    return Reconciled(*row[:_SOURCES], sources, *row[_SOURCES + 1:])


class Reconciliation:
    """The reconciled rows (read with :meth:`rows` or :meth:`table_rows`) and series points
    (:meth:`points`, :meth:`table_points`), as often as needed, and counts."""

    def __init__(self, runs: Parts, points: list[SeriesPoint] | Batches, n_rows: int, n_conflicts: int,
                 n_series: int) -> None:
        self._runs = runs
        self._points = points  #: in memory, or in a file as value tuples
        self.n_rows = n_rows
        self.n_conflicts = n_conflicts
        self.n_series = n_series  #: distinct series

    @property
    def series(self) -> list[SeriesPoint]:
        """Every series point (a list: see :meth:`points` for one at a time)."""
        return list(self.points())

    def points(self) -> Iterator[SeriesPoint]:
        """The series points in output order."""
        points = self._points
        return iter(points) if isinstance(points, list) else (SeriesPoint(*t) for t in points)

    def table_points(self) -> Iterable[SeriesPoint | tuple[Any, ...]]:
        """:meth:`points` as the series table's writer takes them (value tuples in column order
        when read back from disk)."""
        return self._points

    def _ordered(self) -> Iterator[Any]:
        runs = self._runs
        if runs.n == 1:
            return map(_second, runs.read(0))
        return map(_second, heapq.merge(*(runs.read(i) for i in range(runs.n)), key=_first))

    def rows(self) -> Iterator[Reconciled]:
        """Every row in output order (document, start of its first mention, kind, id)."""
        rows = self._ordered()
        return rows if self._runs.lists is not None else map(_record, rows)

    def table_rows(self) -> Iterator[Reconciled | tuple[Any, ...]]:
        """:meth:`rows` as the reconciled table's writer takes them: records, or value tuples in
        column order read back from disk (see :func:`_pack_row`)."""
        return self._ordered()


def part_count(facts: int, directory: str | None) -> int:
    """Parts for ``facts`` facts: one in memory without a directory, else about
    :data:`PART_FACTS` facts a part, at most :data:`MAX_PARTS`."""
    if directory is None:
        return 1
    return max(1, min(MAX_PARTS, -(-facts // PART_FACTS)))


def reconcile_parts(results: Callable[[], Iterable[DocumentResult]], entities: list[Entity] | None = None,
                    *, documents: Iterable[DocumentResult] | None = None, facts: int = 0,
                    directory: str | None = None, jobs: int = 1) -> Reconciliation:
    """Reconcile the facts of ``results()`` (called twice, each time an iterable of the same
    results in the same order; once when ``documents``, the same results with only what
    :func:`copy_clusters` needs, are given) in parts (see the module docstring):
    :func:`part_count` parts of ``facts`` facts (their number, known beforehand), kept in files in
    ``directory`` (which the caller removes), or one part in memory without a directory.

    With parts on disk, each step runs in a forked child (:class:`jinlong_extract.engine.forked.Task`;
    see the module docstring), up to ``jobs`` parts at once."""
    r = rules()
    n = part_count(facts, directory)
    apart = n > 1
    docs = results() if documents is None else documents
    reps, why = _run(lambda: copy_clusters(docs), apart)
    make = _UnitMaker(r, Subjects(entities, r.subject_equivalents))
    packer = _UnitPacker()
    parts = Parts(n, directory, "units", packer.pack, packer.unpack)  #: (block number, labels, *spec)
    written = _run(lambda: _deal(unit_specs(results(), reps, why, r, n, directory), parts, make), apart)
    for i, part in enumerate(written or ()):
        parts.adopt(i, part)
    runs = Parts(n, directory, "rows", _pack_row, as_is)
    states: list[Any] = [None] * n  #: what each part left for the series (in a file when apart)
    n_rows = n_conflicts = 0
    running: dict[Task, int] = {}  #: parts under way
    try:
        # the biggest parts first, and a new one as soon as any is done: no core waits while
        # one big part finishes
        for i in [*sorted(range(n), key=lambda k: -parts.size(k)), None]:
            while running and (len(running) >= max(1, jobs) or i is None):
                task = first_done(list(running))
                k = running.pop(task)
                written, rows, conflicts, states[k] = task.result()
                if written is not None:
                    runs.adopt(k, written)
                n_rows += rows
                n_conflicts += conflicts
            if i is not None:
                running[Task(lambda i=i: _reconcile_part(i, parts, runs, make, directory), fork=apart)] = i
    except BaseException:
        for task in running:
            task.cancel()
        raise
    runs.close()
    points, n_series = _run(lambda: _series(states, r, directory if apart else None), apart)
    return Reconciliation(runs, points, n_rows, n_conflicts, n_series)


def _series(states: list[Any], r: Any, directory: str | None) -> tuple[list[SeriesPoint] | Batches, int]:
    """The series points of every part's rows (their :meth:`SeriesBuilder.state`, or the file
    holding it), in memory or (with a directory) in a file, and the number of series."""
    builder = SeriesBuilder(r)
    for state in states:
        if isinstance(state, str):
            with open(state, "rb") as fh:
                state = pickle.load(fh)
        builder.absorb(state)
    points = builder.points()
    n_series = len({p.series for p in points})
    if directory is None:
        return points, n_series
    store = Batches(os.path.join(directory, "series.pickle"))
    store.extend([_POINT(p) for p in points])
    store.close()
    return store, n_series


def _run(fn: Callable[[], Any], fork: bool) -> Any:
    """``fn()``, in a forked child if ``fork`` (and the platform allows)."""
    task = Task(fn, fork=fork)
    try:
        return task.result()
    except BaseException:
        task.cancel()
        raise


def _deal(specs: Iterable[Any], parts: Parts, make: _UnitMaker) -> list[Any] | None:
    """Put each unit of ``specs`` in the part of its block: the parts' files, closed (None in
    memory)."""
    n = parts.n
    numbers: dict[tuple, tuple[int, int, bool]] = {}  #: block -> (its number, its part, labels)
    for spec in specs:
        block = make.block(anchor_of(spec[2]))
        got = numbers.get(block)
        if got is None:
            part = zlib.crc32(repr(block).encode("utf-8")) % n
            got = numbers[block] = (len(numbers), part, reads_labels(block))
        parts.put(got[1], (got[0], got[2], *spec))
    parts.close()
    return parts.files


def _reconcile_part(i: int, parts: Parts, runs: Parts, make: _UnitMaker, directory: str | None) -> tuple:
    """Reconcile part ``i`` of ``parts``, block after block, into part ``i`` of ``runs`` (rows in
    output order): ``(its file of rows, closed, or None in memory; rows; conflicts; its series'
    state, or in a directory the file holding it)``."""
    series = SeriesBuilder(make.r)
    recorder = _Recorder(make.r)
    n_rows = n_conflicts = 0
    # block after block: only one block's units and rows are objects at a time, the rest of
    # the part stays packed
    blocks: dict[int, list[Any]] = defaultdict(list)
    for item in parts.take(i):
        blocks[item[0]].append(item)
    # a part's rows, in the order they are made: in memory, or packed, held here (see
    # HELD_SOURCES, HELD_BLOCK) or in a scratch file (the sources of one row can be thousands),
    # with only their output order and place held
    scratch = None if runs.files is None else _Scratch(os.path.join(directory, f"scratch-{i:03d}"))  # type: ignore[arg-type]
    held = 0
    done: list[Any] = []
    for number in sorted(blocks, key=lambda b: -len(blocks[b])):  # (stable: ties keep their order)
        big = len(blocks[number]) > HELD_BLOCK
        specs = [parts.unpack(x)[2:] for x in blocks.pop(number)]
        rows = cluster_units(specs, make, recorder)
        for row in rows:
            series.add(row)
            n_conflicts += bool(row.conflict_with)
        n_rows += len(rows)
        record = recorder.record  # (one record at a time: packed at once, unless in memory)
        if scratch is None:
            done += [(row.order, record(row)) for row in rows]
        else:
            add, pack_row = scratch.add, runs.pack
            for row in rows:
                packed = pack_row((row.order, record(row)))
                if not big:
                    held += len(row.sorted_facts)
                done.append((row.order, add(packed) if big or held > HELD_SOURCES else packed))
        del specs, rows
    done.sort(key=_first)
    if scratch is None:
        runs.put_packed(i, done)
        return None, n_rows, n_conflicts, series.state()
    get = scratch.get
    for k in range(0, len(done), BATCH):
        runs.put_packed(i, [get(x) if type(x) is int else x for _, x in done[k : k + BATCH]])
    scratch.close()
    written = runs.files[i]  # type: ignore[index]
    written.close()
    state = os.path.join(directory, f"series-{i:03d}.pickle")  # type: ignore[arg-type]
    with open(state, "wb") as fh:
        pickle.dump(series.state(), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return written, n_rows, n_conflicts, state
