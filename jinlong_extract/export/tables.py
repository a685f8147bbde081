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

import json
from dataclasses import fields
from typing import Any, Iterable

from jinlong_extract import records

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


def _entity_row(entity: records.Entity) -> dict[str, Any]:
    row = entity.to_dict()
    row["n_mentions"] = len(entity.mentions)
    return row


def to_rows(table: str, items: Iterable[Any]) -> list[dict[str, Any]]:
    """Turn records (or ready dicts) into row dicts in the table's column order.

    >>> to_rows("documents", [records.Document(path="a.txt")])[0]["path"]
    'a.txt'
    """
    columns = COLUMNS[table]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            row = item
        elif table == "entities":
            row = _entity_row(item)
        else:
            row = item.to_dict()
        out.append({c: row.get(c) for c in columns})
    return out


def cell_text(value: Any) -> str:
    """How one value is written in a text cell (CSV): null -> empty, bool -> true/false,
    list/dict -> JSON text, float -> shortest round-tripping repr.

    >>> [cell_text(v) for v in (None, True, 2.5, ["a", "b"], "x")]
    ['', 'true', '2.5', '["a", "b"]', 'x']
    """
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _json_default(value: Any) -> Any:
    """JSON fallback for record objects nested in lists (Mention, Source) and tuples."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__} as JSON")


def dumps(row: dict[str, Any]) -> str:
    """One row as compact JSON with Chinese kept as is (``ensure_ascii=False``)."""
    return json.dumps(row, ensure_ascii=False, default=_json_default)
