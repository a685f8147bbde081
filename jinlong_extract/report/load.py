"""Read an output folder written by ``jinlong extract`` back, with each document's original text.

The tables are JSON arrays of record dicts (``facts.json``, ``documents.json``, ``entities.json``,
``reconciled.json``, ``series.json``); only ``facts.json`` is required. The original text is read
again from each document's ``source`` and decoded with its recorded ``encoding``, so facts can be
highlighted in place (``original[start:end] == text``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..records import Article, Document, Entity, Fact, Mention, Reconciled, SeriesPoint, Source

#: The tables of an output folder; only ``facts`` must exist.
TABLES: tuple[str, ...] = ("facts", "documents", "entities", "reconciled", "series")


@dataclass(slots=True)
class DocText:
    """The decoded original of one document and the articles in it (offsets into ``original``)."""

    original: str | None  #: None when the source could not be read again
    articles: list[Article] = field(default_factory=list)
    error: str | None = None  #: why ``original`` is missing, or a warning about it


@dataclass(slots=True)
class OutputData:
    """Everything the report shows, as records."""

    root: Path
    facts: list[Fact]
    documents: list[Document]
    entities: list[Entity]
    reconciled: list[Reconciled]
    series: list[SeriesPoint]
    texts: dict[str, DocText] = field(default_factory=dict)  #: by ``Document.path``


def _read_table(root: Path, name: str, required: bool) -> list[dict[str, Any]]:
    path = root / f"{name}.json"
    if not path.exists():
        if required:
            raise InputError(str(path), "missing: not a jinlong output folder (run `jinlong extract --out DIR`)")
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(str(path), f"unreadable table: {err}") from err
    if isinstance(data, dict):  # tolerate {"rows": [...]} / {"facts": [...]} wrappers
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise InputError(str(path), "expected a JSON array of objects")
    return data


def _known(cls: type, row: dict[str, Any]) -> dict[str, Any]:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    return {k: v for k, v in row.items() if k in names}


def _document(row: dict[str, Any]) -> Document:
    return Document(**_known(Document, row))


def _reconciled(row: dict[str, Any]) -> Reconciled:
    kw = _known(Reconciled, row)
    kw["sources"] = [Source(**_known(Source, s)) for s in kw.get("sources") or [] if isinstance(s, dict)]
    return Reconciled(**kw)


def _entity(row: dict[str, Any]) -> Entity:
    kw = _known(Entity, row)
    kw["mentions"] = [Mention(**_known(Mention, m)) for m in kw.get("mentions") or [] if isinstance(m, dict)]
    return Entity(**kw)


def read_tables(output_dir: str | Path) -> OutputData:
    """Read the JSON tables of an output folder (no document text yet).

    Raises :class:`~jinlong_extract.errors.InputError` when ``facts.json`` is missing or a table is
    not a JSON array of objects.
    """
    root = Path(output_dir)
    if not root.is_dir():
        raise InputError(str(root), "not a directory")
    try:
        facts = [Fact.from_dict(r) for r in _read_table(root, "facts", True)]
        documents = [_document(r) for r in _read_table(root, "documents", False)]
        entities = [_entity(r) for r in _read_table(root, "entities", False)]
        reconciled = [_reconciled(r) for r in _read_table(root, "reconciled", False)]
        series = [SeriesPoint(**_known(SeriesPoint, r)) for r in _read_table(root, "series", False)]
    except TypeError as err:  # a row lacking a required field
        raise InputError(str(root), f"table rows do not match the record types: {err}") from err
    return OutputData(root, facts, documents, entities, reconciled, series)


def decode_original(data: bytes, encoding: str | None) -> str:
    """Decode raw bytes the way the pipeline did: BOM dropped, the recorded encoding, UTF-8 else.

    >>> decode_original("\\ufeff签约112个".encode("utf-8"), "utf-8")
    '签约112个'
    >>> decode_original("签约".encode("gb18030"), "gb18030")
    '签约'
    """
    enc = (encoding or "utf-8").lower()
    if data.startswith(b"\xef\xbb\xbf") and enc.replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        data = data[3:]
    try:
        text = data.decode(enc, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def grounded(original: str, facts: list[Fact]) -> bool:
    """True when every fact's span reads its text in ``original``."""
    return all(original[f.start : f.end] == f.text for f in facts)


def _load_with_ingest(data: bytes, doc: Document) -> DocText | None:
    """The ingest stage's own decoding and article split, when that stage is installed."""
    try:
        from ..ingest import load_bytes  # the pipeline's reader: same decoding, same articles
    except ImportError:
        return None
    try:
        loaded = load_bytes(data, doc.path, doc.source)
    except Exception as err:  # noqa: BLE001 - any failure of the optional re-read falls back to decoding
        return DocText(None, [], f"re-reading with the ingest stage failed: {err}")
    original = loaded.text.original
    return DocText(original, list(loaded.articles))


def text_from_bytes(data: bytes, doc: Document, facts: list[Fact]) -> DocText:
    """The decoded original of ``data`` (as the pipeline decoded it) and its articles.

    Decodes with the recorded encoding; for a page of several articles (or when that decoding
    does not ground every fact) asks the ingest stage's own reader too, for its article split
    and headlines. Never raises.
    """
    plain = decode_original(data, doc.encoding)
    plain_ok = grounded(plain, facts)
    if plain_ok and doc.articles <= 1:
        return DocText(plain)  # one article: nothing the (slower) ingest re-read would add
    by_ingest = _load_with_ingest(data, doc)
    if by_ingest is not None and by_ingest.original is not None and grounded(by_ingest.original, facts):
        return by_ingest
    if plain_ok:
        return DocText(plain, by_ingest.articles if by_ingest and by_ingest.original == plain else [])
    where = doc.source or doc.path
    return DocText(plain, [], f"{where}: changed since extraction (some figures no longer match their offsets)")


def read_text(doc: Document, facts: list[Fact]) -> DocText:
    """Read one document's original again and check its facts are grounded in it.

    Never raises: an unreadable source gives ``DocText(None, error=...)`` and the report lists the
    document's figures without their article text.
    """
    source = doc.source or doc.path
    if not source or source == "-":
        return DocText(None, [], "read from stdin: the text was not kept")
    try:
        data = Path(source).read_bytes()
    except OSError as err:
        return DocText(None, [], f"{source}: cannot read the source again ({err.strerror or err})")
    return text_from_bytes(data, doc, facts)


def load_output(output_dir: str | Path, *, with_text: bool = True) -> OutputData:
    """Read an output folder and, with ``with_text``, every document's original text.

    Documents that facts refer to but ``documents.json`` lacks are added (with no source).
    """
    data = read_tables(output_dir)
    known = {d.path for d in data.documents}
    for f in data.facts:
        if f.doc not in known:
            known.add(f.doc)
            data.documents.append(Document(path=f.doc))
    if with_text:
        by_doc: dict[str, list[Fact]] = {}
        for f in data.facts:
            by_doc.setdefault(f.doc, []).append(f)
        for d in data.documents:
            if d.skipped:
                continue
            data.texts[d.path] = read_text(d, by_doc.get(d.path, []))
    return data
