"""Read an output directory back into typed pandas DataFrames, whatever format was written."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinlong_extract.export.tables import COLUMNS, TABLES, TYPES
from jinlong_extract.export.writers import XLSX_NAME, ExportError

if TYPE_CHECKING:  # pragma: no cover
    import pandas

#: Formats tried for each table, most faithful first (order matters: parquet and JSON keep
#: types, CSV and XLSX need every column re-typed from text).
LOAD_ORDER: tuple[str, ...] = ("parquet", "json", "jsonl", "csv", "xlsx")

_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f"}


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from an empty cell
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        try:
            parsed = json.loads(text)
        except ValueError:
            return [text]
        return parsed if isinstance(parsed, list) else [parsed]
    if hasattr(value, "tolist"):
        return value.tolist()
    return list(value)


def _as_bool(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        return None
    return bool(value)


def _typed(frame: pandas.DataFrame, table: str) -> pandas.DataFrame:
    """Apply the documented dtypes: Int64, float64, boolean, string, list (object)."""
    import pandas as pd

    types = TYPES[table]
    for col in COLUMNS[table]:
        if col not in frame.columns:
            frame[col] = None
    # known columns in their documented order, then any unknown extra ones kept at the end
    extra = [c for c in frame.columns if c not in types]
    frame = frame[list(COLUMNS[table]) + extra].copy()
    for col in COLUMNS[table]:
        kind = types[col]
        series = frame[col]
        if kind == "list":
            frame[col] = series.map(_as_list).astype(object)
        elif kind == "bool":
            if series.dtype == bool:
                frame[col] = series.astype("boolean")
            else:
                frame[col] = series.map(_as_bool).astype("boolean")
        elif kind == "int":
            frame[col] = pd.to_numeric(series, errors="coerce").astype("Float64").astype("Int64")
        elif kind == "float":
            frame[col] = pd.to_numeric(series, errors="coerce").astype("float64")
        else:  # non-text values (a number in a text column) are turned into their str()
            frame[col] = series.astype("string")
    return frame


def _read(path: Path, fmt: str, table: str) -> pandas.DataFrame:
    import pandas as pd

    if fmt == "parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise ExportError(str(path), "reading parquet needs pyarrow: pip install 'jinlong-extract[parquet]'") from None
        return pq.read_table(str(path)).to_pandas()
    if fmt == "json":
        with open(path, encoding="utf-8") as fh:
            rows = json.load(fh)
        if not isinstance(rows, list):
            raise ExportError(str(path), "not a JSON array of rows")
        return pd.DataFrame(rows, columns=list(COLUMNS[table]) if not rows else None)
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        return pd.DataFrame(rows, columns=list(COLUMNS[table]) if not rows else None)
    if fmt == "csv":
        # everything as text, empty cells as null; _typed() re-types each column
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    raise ValueError(fmt)  # pragma: no cover


def _read_xlsx(path: Path) -> dict[str, pandas.DataFrame]:
    """Every table sheet of the workbook; continuation sheets ``facts_2`` … are appended."""
    import pandas as pd

    try:
        import openpyxl
    except ImportError:
        raise ExportError(str(path), "reading xlsx needs openpyxl: pip install 'jinlong-extract[xlsx]'") from None
    book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    parts: dict[str, list[pandas.DataFrame]] = {}
    try:
        for sheet in book.worksheets:
            name = sheet.title
            base = name.rsplit("_", 1)[0] if name.rsplit("_", 1)[-1].isdigit() else name
            if base not in COLUMNS:
                continue
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            width = len(header)
            # read-only sheets drop trailing empty cells: pad every row back to the header width
            data = [tuple(r) + (None,) * (width - len(r)) for r in rows if any(v is not None for v in r)]
            parts.setdefault(base, []).append(pd.DataFrame(data, columns=[str(h) for h in header]))
    finally:
        book.close()
    return {t: pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0] for t, frames in parts.items()}


def load(output_dir: str | os.PathLike[str]) -> dict[str, pandas.DataFrame]:
    """Load every table found in an output directory, typed as documented.

    For each table the most faithful format present is read (parquet, json, jsonl, csv, then the
    ``jinlong.xlsx`` workbook). Dtypes: ``Int64`` for integers (year, period_start, period_end,
    article, start, end), ``float64`` for value/low/high, ``boolean`` for cumulative/conflict/
    skipped, ``string`` for text, Python lists for list columns (parsed back from JSON text).

    >>> import tempfile
    >>> from jinlong_extract import records
    >>> from jinlong_extract.export import write_tables
    >>> out = tempfile.mkdtemp()
    >>> _ = write_tables(out, {"documents": [records.Document(path="a.txt", errors=["empty"])]}, ["csv"])
    >>> load(out)["documents"]["errors"][0]
    ['empty']
    """
    out = Path(output_dir)
    if not out.is_dir():
        raise ExportError(str(out), "no such output directory")
    tables: dict[str, pandas.DataFrame] = {}
    book: dict[str, pandas.DataFrame] | None = None
    for table in TABLES:
        for fmt in LOAD_ORDER:
            if fmt == "xlsx":
                if (out / XLSX_NAME).is_file():
                    if book is None:
                        book = _read_xlsx(out / XLSX_NAME)
                    if table in book:
                        tables[table] = _typed(book[table], table)
                        break
                continue
            path = out / f"{table}.{fmt}"
            if path.is_file():
                try:
                    frame = _read(path, fmt, table)
                except (ValueError, OSError) as err:
                    raise ExportError(str(path), f"cannot read table ({err})") from None
                tables[table] = _typed(frame, table)
                break
    if not tables:
        raise ExportError(str(out), "no jinlong tables found (facts.csv, facts.json …)")
    return tables
