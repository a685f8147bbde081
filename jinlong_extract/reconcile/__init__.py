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

from jinlong_extract.records import DocumentResult, Entity, Reconciled, SeriesPoint
from jinlong_extract.reconcile.compare import Interval, compare, interval
from jinlong_extract.reconcile.documents import copy_clusters, document_clusters, text_fingerprint
from jinlong_extract.reconcile.figures import cluster_figures
from jinlong_extract.reconcile.series import build_series

__all__ = [
    "Interval",
    "compare",
    "copy_clusters",
    "document_clusters",
    "interval",
    "reconcile",
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
    """
    # Reconciling allocates a few objects per fact and frees none until the end: the cyclic
    # garbage collector would rescan the growing heap over and over (a third of the time at 100k).
    enabled = gc.isenabled()
    gc.disable()
    try:
        reps, why = copy_clusters(results)
        rows = cluster_figures(results, reps, why, entities)
        series = build_series(rows)
        return [row.record for row in rows], series
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
