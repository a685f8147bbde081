"""The output tables: their names, stable column orders, column types and row builders.

Column orders come from the shared record types (``records.FACT_COLUMNS``,
``records.DOCUMENT_COLUMNS`` and the dataclass field order of the others), so a field added at the
end of a record appears as a new last column and nothing else moves.

Column types are derived from the record annotations, one of:

* ``int``   — nullable integer (pandas ``Int64`` after :func:`jinlong_extract.export.load`)
* ``float`` — float (``value``, ``low``, ``high``)
* ``bool``  — pandas ``boolean`` (``cumulative``, ``conflict``, ``skipped``)
* ``str``   — pandas ``string``
* ``list``  — a list (of strings or of objects); serialised as JSON text in CSV / XLSX / Parquet
"""

from __future__ import annotations

import secrets
from dataclasses import fields
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator

import orjson

from jinlong_extract import records

_orjson_dumps = orjson.dumps

#: Every table name, in the order they are written and summarised.
TABLES: tuple[str, ...] = ("facts", "documents", "entities", "reconciled", "series")


def _kind_of(annotation: str) -> str:
    """Column type from a (string) dataclass annotation such as ``'int | None'``."""
    ann = annotation.replace(" ", "")
    # order matters: ``list[...]`` may contain ``str``; ``bool`` must win over nothing else
    if ann.startswith("list") or ann.startswith("dict") or ann.startswith("tuple"):
        return "list"
    parts = set(ann.split("|")) - {"None"}
    if parts == {"bool"}:
        return "bool"
    if parts == {"int"}:
        return "int"
    if parts <= {"float", "int"}:
        return "float"
    return "str"


def _types_of(cls: type) -> dict[str, str]:
    return {f.name: _kind_of(str(f.type)) for f in fields(cls)}


#: Entities: the dataclass fields, then ``n_mentions`` (mentions are kept as JSON text).
ENTITY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(records.Entity)) + ("n_mentions",)
RECONCILED_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(records.Reconciled))
SERIES_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(records.SeriesPoint))

#: Stable column order of each table.
COLUMNS: dict[str, tuple[str, ...]] = {
    "facts": records.FACT_COLUMNS,
    "documents": records.DOCUMENT_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "reconciled": RECONCILED_COLUMNS,
    "series": SERIES_COLUMNS,
}

#: Column types of each table (see the module docstring).
TYPES: dict[str, dict[str, str]] = {
    "facts": _types_of(records.Fact),
    "documents": _types_of(records.Document),
    "entities": {**_types_of(records.Entity), "n_mentions": "int"},
    "reconciled": _types_of(records.Reconciled),
    "series": _types_of(records.SeriesPoint),
}


#: Lists longer than this are encoded once for all text formats (see :meth:`Layout.encode_lists`).
_ENCODE_ONCE = 3


#: A list cell of at least this many items is written piece by piece by the text sinks (CSV, JSON,
#: JSON Lines; see :meth:`Encoded.pieces`), never as one string: the entity named in every article
#: of an archive is one cell of tens of MB, and writing it whole made several copies of it at once
#: (its text, its quoted text, the line, the encoded line).
STREAM_ITEMS = 4096
#: Stands in a row for each cell the text sinks write apart (see ``export.writers``): random
#: letters and digits, so that no real cell holds it and the csv module never quotes it.
PLACEHOLDER = "jinlong" + secrets.token_hex(12)


class Encoded:
    """A list cell already encoded as JSON, so a table written in several text formats encodes
    each list once (CSV takes the text, JSON embeds the bytes); see :meth:`Layout.encode_lists`.
    ``len()`` is the number of items in it (what a chunk of rows is weighed by).

    It holds either the whole JSON text (``raw``) or its items' JSON (:meth:`of_items`), which
    are joined only when the whole text is asked for: the text sinks write a long cell
    (:data:`STREAM_ITEMS`) piece by piece (:meth:`pieces`).

    >>> e = Encoded.of_items([b'{"a":1}', b'"x"'])
    >>> e.raw, len(e), b"".join(e.pieces(1)) == e.raw
    (b'[{"a":1},"x"]', 2, True)
    """

    __slots__ = ("_raw", "_items", "n")

    def __init__(self, raw: bytes, n: int = 0) -> None:
        self._raw: bytes | None = raw
        self._items: list[bytes] | None = None
        self.n = n

    @classmethod
    def of_items(cls, items: list[bytes]) -> Encoded:
        """The list of the already encoded ``items`` (each one JSON value)."""
        cell = cls(b"", len(items))
        cell._raw, cell._items = None, items
        return cell

    @property
    def raw(self) -> bytes:
        """The whole JSON text."""
        if self._raw is None:
            self._raw = b"[" + b",".join(self._items or ()) + b"]"
            self._items = None
        return self._raw

    def __len__(self) -> int:
        return self.n

    def text(self) -> str:
        return self.raw.decode("utf-8")

    def items(self) -> list[Any]:
        """The list itself (decoded: objects become dicts)."""
        return orjson.loads(self.raw)

    def streamed(self) -> bool:
        """Whether the text sinks write it piece by piece (:data:`STREAM_ITEMS`)."""
        return self.n >= STREAM_ITEMS

    def pieces(self, batch: int = 1024) -> Iterator[bytes]:
        """The JSON text in pieces of about ``batch`` items (or ``64 * batch`` bytes), without
        ever building it whole when it was made :meth:`of_items`. Cut anywhere but inside a
        UTF-8 sequence (a piece is whole items, or a slice of ASCII-safe cut points)."""
        items = self._items
        if items is not None:
            yield b"["
            for i in range(0, len(items), batch):
                joined = b",".join(items[i : i + batch])
                yield joined if i == 0 else b"," + joined
            yield b"]"
            return
        raw = self.raw
        size = 64 * batch
        at = 0
        while at < len(raw):
            end = min(len(raw), at + size)
            while end < len(raw) and 0x80 <= raw[end] < 0xC0:  # not inside a UTF-8 sequence
                end += 1
            yield raw[at:end]
            at = end


def _json_default(value: Any) -> Any:
    """JSON fallback for what orjson does not serialise natively (pre-encoded cells, sets,
    objects with ``to_dict``)."""
    if type(value) is Encoded:
        return orjson.Fragment(value.raw)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__} as JSON")


def dumpb(row: Any) -> bytes:
    """One row (or any value) as compact UTF-8 JSON bytes, Chinese kept as is.

    orjson (C) serialises the record dataclasses nested in list cells (``Mention``, ``Source``)
    natively, field by field in declaration order, several times faster than the json module;
    encoding those lists was most of the cost of writing the entities and reconciled tables.

    >>> dumpb({"text": "149.53亿元", "ids": []}).decode()
    '{"text":"149.53亿元","ids":[]}'
    """
    return _orjson_dumps(row, default=_json_default)


def dumps(row: Any) -> str:
    """:func:`dumpb` as text.

    >>> dumps({"text": "149.53亿元", "ids": []})
    '{"text":"149.53亿元","ids":[]}'
    """
    return _orjson_dumps(row, default=_json_default).decode("utf-8")



class Layout:
    """How one table's rows are pulled out of records: a tuple of values in column order."""

    __slots__ = ("table", "columns", "types", "getter", "list_idx", "bool_idx")

    def __init__(self, table: str) -> None:
        self.table = table
        self.columns = COLUMNS[table]
        self.types = TYPES[table]
        if table == "entities":
            base = attrgetter(*self.columns[:-1])
            self.getter: Callable[[Any], tuple[Any, ...]] = lambda e: base(e) + (len(e.mentions),)
        else:
            self.getter = attrgetter(*self.columns)
        self.list_idx = tuple(i for i, c in enumerate(self.columns) if self.types[c] == "list")
        self.bool_idx = tuple(i for i, c in enumerate(self.columns) if self.types[c] == "bool")

    def values(self, items: Iterable[Any]) -> list[tuple[Any, ...]]:
        """Records (``Fact``, ``Document`` …), row dicts, or tuples already in column order (a
        record's field values, e.g. read back from ``jinlong_extract.spool``) -> value tuples in
        column order."""
        getter, columns = self.getter, self.columns
        out: list[tuple[Any, ...]] = []
        for item in items:
            if type(item) is tuple:
                out.append(item)
            elif isinstance(item, dict):
                if self.table == "entities" and "n_mentions" not in item:
                    item = {**item, "n_mentions": len(item.get("mentions") or [])}
                out.append(tuple(item.get(c) for c in columns))
            else:
                out.append(getter(item))
        return out

    def chunks(self, items: Iterable[Any], budget: int) -> Iterator[list[tuple[Any, ...]]]:
        """:meth:`values` in chunks of about ``budget`` cells' worth: a row counts one plus the
        length of its list cells, so a chunk of entities holds about ``budget`` mentions."""
        list_idx = self.list_idx
        if isinstance(items, list) and len(items) <= budget and not list_idx:
            yield self.values(items)
            return
        values = self.values
        chunk: list[tuple[Any, ...]] = []
        weight = 0
        for item in items:
            row = item if type(item) is tuple else values((item,))[0]
            chunk.append(row)
            weight += 1
            for i in list_idx:
                v = row[i]
                if v:
                    weight += len(v)
            if weight >= budget:
                yield chunk
                chunk, weight = [], 0
        if chunk:
            yield chunk

    def encode_lists(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Rows with every long list cell (an entity's mentions, a row's sources) encoded once as
        :class:`Encoded` JSON; short lists are cheaper to encode twice than to wrap."""
        list_idx = self.list_idx
        if not list_idx:
            return rows
        out: list[tuple[Any, ...]] = []
        for r in rows:
            cells = list(r)
            for i in list_idx:
                v = cells[i]
                if v is not None and type(v) is not Encoded and len(v) > _ENCODE_ONCE:
                    cells[i] = Encoded(_orjson_dumps(v, default=_json_default), len(v))
            out.append(tuple(cells))
        return out

    def dicts(self, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        columns = self.columns
        return [dict(zip(columns, r)) for r in rows]

    def text_rows(self, rows: list[tuple[Any, ...]], held: list[Encoded] | None = None) -> list[Any]:
        """Rows for text cells (CSV): lists as JSON text, booleans as true/false; the csv module
        itself writes None as an empty cell and floats with their shortest round-tripping repr.
        With ``held``, each :class:`Encoded` cell is appended to it, in order, and :data:`PLACEHOLDER`
        stands in its place (the CSV sink writes its bytes there)."""
        list_idx, bool_idx = self.list_idx, self.bool_idx
        if not list_idx and not bool_idx:
            return rows
        out: list[Any] = []
        for r in rows:
            cells = list(r)
            for i in list_idx:
                v = cells[i]
                if v is None:
                    cells[i] = ""
                elif type(v) is Encoded:
                    if held is None:
                        cells[i] = v.text()
                    else:
                        held.append(v)
                        cells[i] = PLACEHOLDER
                else:
                    cells[i] = "[]" if not v and isinstance(v, (list, tuple)) else dumps(v)
            for i in bool_idx:
                v = cells[i]
                cells[i] = "" if v is None else ("true" if v else "false")
            out.append(cells)
        return out


_LAYOUTS: dict[str, Layout] = {}


def layout(table: str) -> Layout:
    """The (cached) :class:`Layout` of ``table``."""
    found = _LAYOUTS.get(table)
    if found is None:
        found = _LAYOUTS[table] = Layout(table)
    return found


def to_rows(table: str, items: Iterable[Any]) -> list[dict[str, Any]]:
    """Turn records (or ready dicts) into row dicts in the table's column order.

    >>> to_rows("documents", [records.Document(path="a.txt")])[0]["path"]
    'a.txt'
    """
    lay = layout(table)
    return lay.dicts(lay.values(items))


def cell_text(value: Any) -> str:
    """How one value is written in a text cell (CSV): null -> empty, bool -> true/false,
    list/dict -> JSON text, float -> shortest round-tripping repr.

    >>> [cell_text(v) for v in (None, True, 2.5, ["a", "b"], "x")]
    ['', 'true', '2.5', '["a","b"]', 'x']
    """
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is Encoded:
        return value.text()
    if isinstance(value, (list, tuple, dict)):
        return dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)
