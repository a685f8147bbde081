"""Output tables: atomic, streaming writers for CSV / JSON / JSON Lines / Parquet / XLSX, and load().

Public API::

    TableWriter(out_dir, formats, *, tables=("facts", "documents"))   # streaming, atomic
    write_tables(out_dir, {"facts": facts, ...}, formats) -> list[Path]
    write_jsonl(stream, table, items) -> int                          # ``--out -``
    load(output_dir) -> dict[str, pandas.DataFrame]                   # typed read-back
    COLUMNS / TYPES / TABLES / FORMATS                                # documented column orders

Nothing heavy is imported here: pandas, pyarrow and openpyxl are imported when used.
"""

from __future__ import annotations

from jinlong_extract.export.load import load
from jinlong_extract.export.tables import COLUMNS, TABLES, TYPES, cell_text, dumps, to_rows
from jinlong_extract.export.writers import (
    FORMATS,
    XLSX_NAME,
    ExportError,
    TableWriter,
    atomic_open,
    parse_formats,
    remove_abandoned,
    write_jsonl,
    write_tables,
)

__all__ = [
    "COLUMNS",
    "FORMATS",
    "TABLES",
    "TYPES",
    "XLSX_NAME",
    "ExportError",
    "TableWriter",
    "atomic_open",
    "cell_text",
    "dumps",
    "load",
    "parse_formats",
    "remove_abandoned",
    "to_rows",
    "write_jsonl",
    "write_tables",
]
