"""The reconciler: one row per real-world figure, conflicts flagged, running totals as series.

Data flows one way: :mod:`.documents` (republished copies) -> :mod:`.figures` (block -> compare ->
cluster, conflicts) -> :mod:`.series` (cumulative figures by as-of date). Every comparison rule is
data in ``jinlong_extract/data/reconcile.toml``.

>>> from jinlong_extract.records import Document, DocumentResult, Fact
>>> def fact(doc, start, text, value, q="exact"):
...     return Fact(doc, 0, start, start + len(text), text, "count", value, value, value, q, "个",
...                 None, "项目", "实施协作项目数", "天津市", None, None, None, True, "", "2024-07-19")
>>> a = DocumentResult(Document("a.txt"), [fact("a.txt", 10, "3800余个", 3800.0, "approx")])
>>> b = DocumentResult(Document("b.txt"), [fact("b.txt", 20, "3825个", 3825.0)])
>>> rows, series = reconcile([a, b])
>>> len(rows), rows[0].n_sources, rows[0].metric, rows[0].rule
(1, 2, '协作项目数', 'value within 3800余个 (3800–3899)')
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from jinlong_extract.records import DocumentResult, Entity, Reconciled, SeriesPoint
from jinlong_extract.reconcile.compare import Interval, compare, interval
from jinlong_extract.reconcile.documents import copy_clusters, document_clusters, text_fingerprint
from jinlong_extract.reconcile.parts import Reconciliation
from jinlong_extract.reconcile.parts import reconcile_parts as _reconcile_parts

__all__ = [
    "Interval",
    "compare",
    "copy_clusters",
    "document_clusters",
    "interval",
    "Reconciliation",
    "reconcile",
    "reconcile_parts",
    "text_fingerprint",
]


def reconcile(
    results: list[DocumentResult], entities: list[Entity] | None = None
) -> tuple[list[Reconciled], list[SeriesPoint]]:
    """Reconcile the facts of many documents into one row per real-world figure, plus series.

    Every fact is a source of exactly one row. Facts of republished copies (see
    :func:`document_clusters`) and repeats inside one article become sources of the same row;
    figures compatible within the tolerance of their qualifiers (``3800余个`` and ``3825个``) merge
    with the rule recorded in ``Reconciled.rule``; incompatible values of the same metric, subject
    and period are separate rows flagged ``conflict``. ``entities`` (merged, with aliases) resolve
    subject strings to entity ids when facts carry no ``subject_ids``.

    Everything is held in memory; :func:`reconcile_parts` reconciles results read back from disk
    in parts of bounded size, with the same rows.
    """
    with _gc_paused():
        done = _reconcile_parts(lambda: results, entities)
        return list(done.rows()), done.series


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reconciling allocates a few objects per fact and frees none until the end of a part: the
    cyclic garbage collector would rescan the growing heap over and over (a third of the time at
    100k facts). Its objects hold no cycles, so reference counting frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                # The records are long-lived (the run's output) and hold no cycles. Left young,
                # the first allocation after gc.enable() would scan every one of them (a tenth of
                # the time); freezing and unfreezing moves them, and anything else young, straight
                # to the oldest generation, where only a full collection looks at them.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def reconcile_parts(results: Callable[[], Iterable[DocumentResult]], entities: list[Entity] | None = None,
                    *, documents: Iterable[DocumentResult] | None = None, facts: int = 0,
                    directory: str | None = None, jobs: int = 1) -> Reconciliation:
    """:func:`reconcile` over results read back (e.g. from disk) from ``results()``, in parts of
    bounded memory kept in ``directory``, up to ``jobs`` at once (see :mod:`.parts`)."""
    with _gc_paused():
        return _reconcile_parts(results, entities, documents=documents, facts=facts, directory=directory,
                                jobs=jobs)
