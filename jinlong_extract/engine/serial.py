"""Compact serialisation of a ``DocumentResult`` for the cache and for crossing processes.

Pickling slotted dataclasses goes through a Python-level ``__getstate__`` per object (about 8 µs
a fact each way); packing each record into a plain tuple of its field values with a C-level
``operator.attrgetter`` and rebuilding it with ``cls(*values)`` is about five times faster and
40 % smaller. The layout follows ``dataclasses.fields`` order, which the cache key fingerprints
(:func:`jinlong_extract.engine.cache.records_fingerprint`), so a stored blob is never unpacked
into a different layout.
"""

from __future__ import annotations

import pickle
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
