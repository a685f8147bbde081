"""A run's per-document results, spooled to disk as they arrive (issue 4: flat memory).

The cross-document stages need every document's facts and mentions: entity merging, each fact's
subject id (known only once entities are merged), the entities table (every mention, grouped by
entity) and the reconciler. Holding them all costs about 13 MB of memory per MB of input, so
:class:`RunSpool` keeps them on disk instead and the process holds only compact state:

* facts: pickled batches of plain tuples (:mod:`jinlong_extract.engine.serial`) in one file,
  read back in order; a fact's subject is kept as its mention's name node and becomes an entity
  id when read back, after :meth:`RunSpool.finish`;
* documents: the same, with each document's fingerprint (for republished-copy detection);
* mentions: the same, each encoded once as the JSON the entities table holds, with its name
  node; the entities table needs them grouped by entity,
  an order known only at the end, so they are sorted on disk: one pass deals them into buckets of
  consecutive entities (about :data:`BUCKET` mentions each), then each bucket is sorted in memory;
* entity merging: :class:`~jinlong_extract.entities.merge.EntityMerger`, one node per distinct name.

The spool lives in a temporary directory (``TMPDIR``) named after the process; :meth:`close`
removes it, and the next run removes those of processes that no longer exist (``kill -9``).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from itertools import groupby
from operator import itemgetter
from typing import Any

from orjson import dumps, loads

from .engine.serial import _DOC, _FACT, BATCH, Batches
from .export.tables import Encoded
from .export.writers import process_alive
from .options import Options
from .records import Document, DocumentResult, Entity, Fact, Mention

#: Mentions per bucket of the on-disk sort that groups them by entity (the memory it needs).
BUCKET = 25_000
#: Mentions held in the write buffers of all buckets together while they are dealt.
DEAL_BUFFER = 50_000
#: At most this many buckets (open files) whatever the corpus: beyond, buckets grow instead.
MAX_BUCKETS = 256
#: Prefix of spool directories (``jinlong-spool-<pid>-…``).
PREFIX = "jinlong-spool-"

_SUBJECT_IDS = list(Fact.__dataclass_fields__).index("subject_ids")


class RunSpool:
    """The results of one run on disk; see the module docstring.

    :meth:`add` every non-skipped result in order, call :meth:`finish` once, then read back
    :meth:`facts` (or :meth:`fact_rows`), :meth:`entities` (or :meth:`entity_rows`),
    :meth:`results` and :meth:`documents`, each as often as needed, also from a forked child;
    :meth:`close` removes the files.
    """

    def __init__(self, options: Options, directory: str | None = None) -> None:
        remove_stale(directory)
        self.dir = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=directory)
        self._docs = Batches(os.path.join(self.dir, "documents.pickle"))
        self._facts = Batches(os.path.join(self.dir, "facts.pickle"))
        self.merger = None
        self._mentions = Batches(os.path.join(self.dir, "mentions.pickle"))  #: (node, mention JSON)
        self._buckets: list[str] | None = None  #: the sorted-by-entity buckets, once made
        if options.entities:
            from .entities.merge import EntityMerger

            self.merger = EntityMerger()
        self._entities: list[Entity] = []
        self._ids: list[str] = []  #: node -> entity id, after finish()
        self._rank: list[int] = []  #: node -> index into the entities, after finish()
        self._unprinted = False  #: a document has facts but no fingerprint (see documents())
        self._nodes_of: list[list[int]] = []

    # ---- writing ---------------------------------------------------------------------------
    def add(self, result: DocumentResult) -> None:
        """Spool one (non-skipped) document's facts, mentions and fingerprint."""
        facts = [_FACT(f) for f in result.facts]
        merger = self.merger
        if merger is not None:
            add = merger.add
            by_span: dict[tuple[int, int], list[int]] = {}
            rows = []
            for m, js in zip(result.mentions, _each_json(result.mentions)):
                node = add(m)
                by_span.setdefault((m.start, m.end), []).append(node)
                rows.append((node, js))  # the mention as the entities table writes it
            self._mentions.extend(rows)
            for i, f in enumerate(result.facts):
                if f.subject_ids and f.subject_ids[0].startswith("@"):
                    # the subject's mention (by its span in the original) -> its name node(s);
                    # the entity id is known after finish()
                    s, e = f.subject_ids[0][1:].split("-")
                    t = list(facts[i])
                    t[_SUBJECT_IDS] = by_span.get((int(s), int(e)), [])
                    facts[i] = tuple(t)
        self._facts.extend(facts)
        self._docs.extend([(_DOC(result.document), result.fingerprint, len(facts))])
        if facts and not result.fingerprint:
            self._unprinted = True

    def finish(self) -> None:
        """Every result is in: merge the entities, close the files for writing."""
        for part in (self._facts, self._docs, self._mentions):
            part.close()
        if self.merger is not None:
            self._entities, self._rank, self._nodes_of = self.merger.finish()
            self._ids = [self._entities[i].id for i in self._rank]

    # ---- reading ---------------------------------------------------------------------------
    def _linked(self, t: tuple[Any, ...]) -> tuple[Any, ...]:
        """A spooled fact's field values with its subject's name node(s) turned into an entity id."""
        nodes = t[_SUBJECT_IDS]
        if nodes and type(nodes[0]) is int:
            # several mentions on one span: the entity listed last wins, as in pipeline._link_subjects
            node = max(nodes, key=self._rank.__getitem__)
            return (*t[:_SUBJECT_IDS], [self._ids[node]], *t[_SUBJECT_IDS + 1:])
        return t

    def fact_rows(self) -> Iterator[tuple[Any, ...]]:
        """:meth:`facts` as tuples of field values (= the facts table's columns), without building
        the records."""
        linked = self._linked
        for t in self._facts:
            yield linked(t)

    def facts(self) -> Iterator[Fact]:
        """Every fact in input order, with the entity ids of its subject."""
        linked = self._linked
        for t in self._facts:
            yield Fact(*linked(t))

    def results(self) -> Iterator[DocumentResult]:
        """The spooled results again (documents, facts with entity ids, fingerprints; no mentions)."""
        facts = self.facts()
        for doc, fingerprint, n in self._docs:
            yield DocumentResult(Document(*doc), [next(facts) for _ in range(n)], fingerprint=fingerprint)

    def documents(self) -> Iterator[DocumentResult]:
        """The spooled documents with their fingerprints, all republished-copy detection needs;
        facts are read back only when a document has facts but no fingerprint (see
        :func:`jinlong_extract.reconcile.copy_clusters`)."""
        if self._unprinted:
            yield from self.results()
            return
        for doc, fingerprint, _ in self._docs:
            yield DocumentResult(Document(*doc), fingerprint=fingerprint)

    @property
    def n_facts(self) -> int:
        return self._facts.count

    @property
    def entity_names(self) -> list[Entity]:
        """The merged entities with one stand-in mention per name instead of their mentions:
        what resolving subjects by name needs (see ``EntityMerger.name_entities``)."""
        if self.merger is None:
            return []
        return self.merger.name_entities(self._entities, self._nodes_of)

    def entities(self) -> Iterator[Entity]:
        """The merged entities sorted by (type, id), each with every mention in input order."""
        for entity, mentions in self._grouped():
            yield replace(entity, mentions=[Mention(**loads(m)) for m in mentions])

    def entity_rows(self) -> Iterator[tuple[Any, ...]]:
        """:meth:`entities` as rows of the entities table, each entity's mentions already encoded
        as the JSON list the table holds (no Mention is rebuilt, none is encoded twice)."""
        for e, mentions in self._grouped():
            cell = Encoded.of_items(mentions)
            yield (e.id, e.type, e.canonical, e.aliases, cell, e.titles, e.parent, e.rule, len(mentions))

    def _grouped(self) -> Iterator[tuple[Entity, list[bytes]]]:
        """Each merged entity, in order, with its mentions' JSON in input order."""
        if self.merger is None or not self._entities:
            return
        by_entity = itemgetter(0)
        for bucket in self._sorted_buckets():
            bucket.sort(key=by_entity)  # stable: each entity's mentions stay in input order
            for e, group in groupby(bucket, key=by_entity):
                yield self._entities[e], [m for _, m in group]

    def _sorted_buckets(self) -> Iterator[list[tuple[int, bytes]]]:
        """``(entity, mention JSON)`` in input order, in buckets of consecutive entities."""
        rank = self._rank
        if self._mentions.count <= BUCKET:  # one bucket: sorted in memory, no second pass
            yield [(rank[node], m) for node, m in self._mentions]
            return
        if self._buckets is None:
            self._buckets = self._deal()
        for path in self._buckets:
            with open(path, "rb") as fh:
                items: list[tuple[int, bytes]] = []
                while True:
                    try:
                        items.extend(pickle.load(fh))
                    except EOFError:
                        break
            yield items

    def _deal(self) -> list[str]:
        """Deal the mentions into bucket files of consecutive entities, about :data:`BUCKET`
        mentions each (an entity is never split, so one with more fills a bucket alone)."""
        rank, nodes = self._rank, self.merger.nodes  # type: ignore[union-attr]
        sizes = [0] * len(self._entities)
        for node, e in enumerate(rank):
            sizes[e] += nodes[node].count
        size = max(BUCKET, -(-self._mentions.count // MAX_BUCKETS))
        bucket_of: list[int] = []
        b = filled = 0
        for n in sizes:
            if filled and filled + n > size:
                b, filled = b + 1, 0
            bucket_of.append(b)
            filled += n
        paths = [os.path.join(self.dir, f"entities-{i:03d}.pickle") for i in range(b + 1)]
        node_bucket = [bucket_of[e] for e in rank]
        files = [open(p, "wb") for p in paths]
        try:
            buffers: list[list[tuple[int, bytes]]] = [[] for _ in paths]
            cap = max(BATCH // 8, DEAL_BUFFER // len(paths))  # (per bucket)
            for node, m in self._mentions:
                buf = buffers[node_bucket[node]]
                buf.append((rank[node], m))
                if len(buf) >= cap:
                    pickle.dump(buf, files[node_bucket[node]], protocol=pickle.HIGHEST_PROTOCOL)
                    buf.clear()
            for buf, fh in zip(buffers, files):
                if buf:
                    pickle.dump(buf, fh, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            for fh in files:
                fh.close()
        return paths

    @property
    def n_entities(self) -> int:
        return len(self._entities)

    def close(self) -> None:
        """Remove the spool's files."""
        for part in (self._facts, self._docs, self._mentions):
            if part._file is not None:
                part._file.close()
                part._file = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RunSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Between two mentions in a JSON list: ``{"doc":`` cannot occur inside a JSON string, where
#: every ``"`` is escaped, so it only ever starts a mention.
_BETWEEN = b'},{"doc":'


def _each_json(mentions: list[Mention]) -> list[bytes]:
    """Each mention as JSON, as ``orjson.dumps(mention)`` gives it, from one call over the list
    (orjson costs about 3 µs a call, four times what one mention costs inside a list).

    >>> _each_json([Mention("a.txt", 0, 0, 2, "天津", "LOC"), Mention("a.txt", 0, 5, 7, '}{"', "ORG")]) == [
    ...     dumps(Mention("a.txt", 0, 0, 2, "天津", "LOC")), dumps(Mention("a.txt", 0, 5, 7, '}{"', "ORG"))]
    True
    """
    if not mentions:
        return []
    parts = dumps(mentions)[2:-2].split(_BETWEEN)  # (without the list's [{ and }])
    if len(parts) != len(mentions):  # pragma: no cover - a field before doc would do this
        return [dumps(m) for m in mentions]
    parts[0] = parts[0][6:]  # (the first one's "doc": too, as the split took the others')
    return [b'{"doc":' + p + b"}" for p in parts]


def remove_stale(directory: str | None = None) -> None:
    """Remove the spools of processes that no longer run (a run killed with ``kill -9``)."""
    root = directory or tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(root) if n.startswith(PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)

