"""Compact serialisation of a ``DocumentResult`` for the cache and for crossing processes.

Pickling slotted dataclasses goes through a Python-level ``__getstate__`` per object (about 8 µs
a fact each way); packing each record into a plain tuple of its field values with a C-level
``operator.attrgetter`` and rebuilding it with ``cls(*values)`` is about five times faster and
40 % smaller. The layout follows ``dataclasses.fields`` order, which the cache key fingerprints
(:func:`jinlong_extract.engine.cache.records_fingerprint`), so a stored blob is never unpacked
into a different layout.

:class:`Batches` and :class:`Parts` keep such plain values in files while a run's cross-document
stages need them (``jinlong_extract.spool``, ``jinlong_extract.reconcile.parts``).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import fields
from operator import attrgetter
from typing import Any

from ..records import Article, Document, DocumentResult, Fact, Mention


def _getter(cls: type) -> attrgetter:
    return attrgetter(*(f.name for f in fields(cls)))


_DOC = _getter(Document)
_FACT = _getter(Fact)
_MENTION = _getter(Mention)
_ARTICLE = _getter(Article)

Packed = tuple[Any, ...]

#: Items per pickled batch of :class:`Batches`: enough for pickle to run at C speed, few enough to
#: keep memory small.
BATCH = 512
#: Items held unwritten (or, read back, loaded) by all the files of one :class:`Parts` together:
#: with many parts, each file's batches are smaller (parts are dealt to, and merged from, all at
#: once; 70 parts of 512 packed units was 50 MB at 200 MB).
PARTS_PENDING = 8192


class Batches:
    """An append-only file of pickled lists of items, read back in order."""

    def __init__(self, path: str, batch: int = BATCH) -> None:
        self.path = path
        self.batch = batch
        self._file: Any = open(path, "wb")
        self._pending: list[Any] = []
        self.batches = 0  #: batches written
        self.count = 0  #: items appended

    def extend(self, items: list[Any]) -> None:
        self._pending.extend(items)
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        pending, batch = self._pending, self.batch
        for k in range(0, len(pending), batch):  # (a long extend() is still read back a batch at a time)
            self.batches += 1
            pickle.dump(pending[k : k + batch], self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(pending)
        self._pending = []

    def close(self) -> None:
        """Finish writing (reading needs it: the last batch is still in memory until then)."""
        if self._file is not None:
            self._flush()
            self._file.close()
            self._file = None

    def __iter__(self) -> Iterator[Any]:
        with open(self.path, "rb") as fh:  # a file of its own: it may be read in a forked child
            for _ in range(self.batches):
                yield from pickle.load(fh)


def as_is(item: Any) -> Any:
    return item


class Parts:
    """``n`` parts of items: lists in memory without a ``directory`` or with one part, else files
    of pickled batches (:class:`Batches`) named ``<name>-<i>`` in it, where each item is kept as
    ``pack(item)`` (plain values) until ``unpack`` turns it back."""

    def __init__(self, n: int, directory: str | None, name: str,
                 pack: Callable[[Any], Any], unpack: Callable[[Any], Any]) -> None:
        self.n = n
        self.lists: list[list[Any]] | None = None
        self.files: list[Batches] | None = None
        if directory is None or n == 1:
            self.lists = [[] for _ in range(n)]
            self.pack = self.unpack = as_is  # (kept as they are)
        else:
            batch = max(32, min(BATCH, PARTS_PENDING // n))
            self.files = [Batches(os.path.join(directory, f"{name}-{i:03d}.pickle"), batch) for i in range(n)]
            self.pack, self.unpack = pack, unpack

    def put(self, i: int, item: Any) -> None:
        if self.lists is not None:
            self.lists[i].append(item)
        else:
            self.files[i].extend([self.pack(item)])  # type: ignore[index]

    def put_packed(self, i: int, items: list[Any]) -> None:
        """Items already packed (``self.pack``): kept smaller while a part is being made."""
        if self.lists is not None:
            self.lists[i].extend(items)
        else:
            self.files[i].extend(items)  # type: ignore[index]

    def close(self) -> None:
        """Done writing (the last batches are written)."""
        for f in self.files or ():
            f.close()

    def adopt(self, i: int, written: Batches) -> None:
        """Part ``i`` was written, and closed, by ``written`` (a forked child's copy of this
        part's file, sent back): take its account of the file."""
        assert self.files is not None
        self.files[i].close()  # (nothing was written through this copy)
        self.files[i] = written

    def size(self, i: int) -> int:
        """Items put in part ``i``."""
        if self.lists is not None:
            return len(self.lists[i])
        return self.files[i].count + len(self.files[i]._pending)  # type: ignore[index]

    def read(self, i: int) -> Iterator[Any]:
        """The items of part ``i``, in the order they were put."""
        if self.lists is not None:
            return iter(self.lists[i])
        return map(self.unpack, self.files[i])  # type: ignore[index]

    def take(self, i: int) -> list[Any]:
        """The packed items of part ``i``, once: a part in memory is let go."""
        if self.lists is not None:
            items, self.lists[i] = self.lists[i], []
            return items
        return list(self.files[i])  # type: ignore[index]


def pack_facts_last(item: tuple[Any, ...]) -> tuple[Any, ...]:
    """An item whose last field is a list of facts, as plain values (see :class:`Parts`)."""
    return (*item[:-1], [_FACT(f) for f in item[-1]])


def unpack_facts_last(packed: tuple[Any, ...]) -> tuple[Any, ...]:
    """Inverse of :func:`pack_facts_last`."""
    return (*packed[:-1], [Fact(*f) for f in packed[-1]])


def pack(result: DocumentResult) -> Packed:
    """A tuple of plain values (picklable in C) holding everything in ``result``.

    >>> r = DocumentResult(Document(path="a.txt", errors=["x"]), fingerprint=[1, 2])
    >>> unpack(pack(r)) == r
    True
    """
    return (
        _DOC(result.document),
        [_FACT(f) for f in result.facts],
        [_MENTION(m) for m in result.mentions],
        [_ARTICLE(a) for a in result.article_meta],
        result.fingerprint,
    )


def unpack(packed: Packed) -> DocumentResult:
    """Rebuild the ``DocumentResult`` that :func:`pack` packed."""
    doc, facts, mentions, articles, fingerprint = packed
    return DocumentResult(
        Document(*doc),
        facts=[Fact(*f) for f in facts],
        mentions=[Mention(*m) for m in mentions],
        article_meta=[Article(*a) for a in articles],
        fingerprint=fingerprint,
    )


def dumps(result: DocumentResult) -> bytes:
    """Bytes for the cache: ``pickle`` of :func:`pack`."""
    return pickle.dumps(pack(result), protocol=pickle.HIGHEST_PROTOCOL)


def loads(blob: bytes) -> DocumentResult:
    """Inverse of :func:`dumps`."""
    return unpack(pickle.loads(blob))
