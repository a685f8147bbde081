"""Atomic, streaming table writers: CSV (UTF-8 with BOM), JSON (array), JSON Lines, Parquet, XLSX.

Every file is written to a hidden temporary file in the destination directory and moved into
place with :func:`os.replace` only when the whole run has finished, so an interrupted or failed
run never leaves a partial table (an older complete table stays where it was).

Rows can be appended as documents finish (:class:`TableWriter`), so a long run keeps little in
memory; the JSON array is written incrementally with its brackets and commas.

File names: ``<table>.csv``, ``<table>.json``, ``<table>.jsonl``, ``<table>.parquet`` for each
table, and one workbook ``jinlong.xlsx`` with one sheet per table (a table longer than an Excel
sheet continues on sheets ``<table>_2``, ``<table>_3`` …).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from jinlong_extract.errors import JinlongError
from jinlong_extract.export.tables import COLUMNS, PLACEHOLDER, TABLES, TYPES, Encoded, cell_text, dumpb, dumps, layout

#: Output formats, in the order files are written.
FORMATS: tuple[str, ...] = ("csv", "json", "jsonl", "parquet", "xlsx")
#: The single workbook that holds every table when ``xlsx`` is asked for.
XLSX_NAME = "jinlong.xlsx"
#: Excel's hard limits: rows per sheet (header included) and characters per cell.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
#: Rows buffered before a Parquet row group is written.
PARQUET_BATCH = 50_000


class ExportError(JinlongError):
    """An output table that cannot be written (missing optional extra, unwritable directory)."""


def temp_path(final: Path, owner: int | None = None) -> Path:
    """A unique hidden temporary path beside ``final`` (same directory, so ``os.replace`` is atomic),
    named after the process that will publish it, ``owner`` (default: this one; see
    :func:`remove_abandoned`)."""
    return final.with_name(f".{final.name}.{owner or os.getpid()}.{secrets.token_hex(4)}.tmp")


#: :func:`temp_path`'s names: ``.<final name>.<pid>.<8 hex digits>.tmp``
_TEMP_NAME = re.compile(r"\.(?P<final>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]{8}\.tmp")


def remove_abandoned(directory: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files (:func:`temp_path`) in ``directory`` of processes that no longer
    run: what a writer killed with ``kill -9`` left half-written. Those of running processes (a
    run writing into the same folder) and every other file are left alone. Returns the removed.

    A run's forked writers end before their files are published (:meth:`TableWriter.adopt`): their
    files are named after the publishing process (``TableWriter(owner=...)``).
    """
    removed = []
    try:
        names = [n for n in os.listdir(directory) if n.startswith(".") and n.endswith(".tmp")]
    except OSError:
        return removed
    for name in names:
        m = _TEMP_NAME.fullmatch(name)
        if m is None or process_alive(int(m["pid"])):
            continue
        path = Path(directory, name)
        _unlink(path)
        removed.append(path)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open ``path`` for writing atomically: the file appears complete or not at all.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_open(d / "a.txt", encoding="utf-8") as fh:
    ...     _ = fh.write("金额")
    >>> (d / "a.txt").read_text(encoding="utf-8")
    '金额'
    """
    final = Path(path)
    tmp = temp_path(final)
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, final)
    except BaseException:
        _unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# one sink per (table, format); each writes to its temp file and is renamed by TableWriter.commit


class _Sink:
    def __init__(self, final: Path, table: str, owner: int | None = None) -> None:
        self.final = final
        self.tmp = temp_path(final, owner)
        self.table = table
        self.columns = COLUMNS[table]
        self.layout = layout(table)

    def write(self, rows: list[tuple[Any, ...]]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def abort(self) -> None:
        try:
            self.close()
        except Exception:
            pass
        _unlink(self.tmp)


#: Stands in a row for each cell written apart (by the JSON sinks: :meth:`Encoded.streamed`; by
#: the CSV sink: every :class:`Encoded` cell) while the rest of the row is encoded as usual; the
#: encoded row is then cut where it stands.
_MARK_BYTES = PLACEHOLDER.encode("ascii")
_PLACEHOLDER = Encoded(_MARK_BYTES)


def _runs(rows: list[tuple[Any, ...]], list_idx: tuple[int, ...]) -> Iterator[tuple[list, tuple | None, list[Encoded]]]:
    """``rows`` as runs of rows written whole, each run followed by one row whose long cells are
    streamed: ``(run, that row with placeholders or None, its streamed cells)``."""
    start = 0
    if list_idx:
        for k, row in enumerate(rows):
            big = [i for i in list_idx if type(row[i]) is Encoded and row[i].streamed()]
            if big:
                held = list(row)
                for i in big:
                    held[i] = _PLACEHOLDER
                yield rows[start:k], tuple(held), [row[i] for i in big]
                start = k + 1
    if start < len(rows):
        yield rows[start:], None, []


class _CsvSink(_Sink):
    """UTF-8 *with* BOM so spreadsheet programs show Chinese; lists as JSON text; nulls empty.

    The csv module writes each chunk of rows into a string buffer, which is written out as UTF-8.
    A list cell already encoded (:class:`Encoded`: an entity's mentions, a row's sources, most of
    the bytes of those tables) never becomes text: a placeholder stands in its row, and its JSON
    bytes are written where the placeholder stands, quoted as the csv module would quote them
    (piece by piece: :meth:`Encoded.pieces`). Three to four times faster for those cells, and
    the same bytes."""

    def __init__(self, final: Path, table: str, owner: int | None = None) -> None:
        super().__init__(final, table, owner)
        self.fh = open(self.tmp, "wb")
        self.fh.write(codecs.BOM_UTF8)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.writer.writerow(self.columns)
        self._drain([])

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        held: list[Encoded] = []
        self.writer.writerows(self.layout.text_rows(rows, held=held if self.layout.list_idx else None))
        self._drain(held)

    def _drain(self, held: list[Encoded]) -> None:
        """Write out the buffered text, each placeholder replaced by its held cell."""
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        write = self.fh.write
        if not held:
            write(data)
            return
        around = data.split(_MARK_BYTES)
        write(around[0])
        for cell, after in zip(held, around[1:]):
            _write_csv_cell(write, cell)
            write(after)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


def _write_csv_cell(write: Callable[[bytes], Any], cell: Encoded) -> None:
    """An encoded JSON cell as the csv module writes its text (minimal quoting): quoted, its
    quotes doubled, when it holds a comma or a quote (JSON text never holds a raw line break);
    as it is otherwise (``[]``, ``[12]``)."""
    if not cell.streamed():
        raw = cell.raw
        if b"," in raw or b'"' in raw:
            write(b'"' + raw.replace(b'"', b'""') + b'"')
        else:
            write(raw)
        return
    write(b'"')  # (thousands of items: a comma is certain)
    for piece in cell.pieces():
        write(piece.replace(b'"', b'""'))
    write(b'"')


class _JsonSink(_Sink):
    """A JSON array written incrementally: ``[`` … ``,`` … ``]``, one row per line."""

    #: between two rows
    sep = b",\n"

    def __init__(self, final: Path, table: str, owner: int | None = None) -> None:
        super().__init__(final, table, owner)
        self.fh = open(self.tmp, "wb")
        self.fh.write(b"[")
        self.n = 0

    def _lead(self) -> bytes:
        return b"\n" if self.n == 0 else b",\n"

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        dicts, write = self.layout.dicts, self.fh.write
        for run, row, cells in _runs(rows, self.layout.list_idx):
            if run:
                write(self._lead() + self.sep.join(map(dumpb, dicts(run))))
                self.n += len(run)
            if row is not None:
                around = dumpb(dicts([row])[0]).split(_PLACEHOLDER.raw)
                write(self._lead() + around[0])
                for cell, after in zip(cells, around[1:]):
                    for piece in cell.pieces():
                        write(piece)
                    write(after)
                self.n += 1

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.write(b"\n]\n" if self.n else b"]\n")
            self.fh.close()


class _JsonlSink(_JsonSink):
    """One JSON object per line."""

    sep = b"\n"

    def __init__(self, final: Path, table: str, owner: int | None = None) -> None:
        _Sink.__init__(self, final, table, owner)
        self.fh = open(self.tmp, "wb")
        self.n = 0

    def _lead(self) -> bytes:
        return b"" if self.n == 0 else b"\n"

    def close(self) -> None:
        if not self.fh.closed:
            if self.n:
                self.fh.write(b"\n")
            self.fh.close()


def _require(module: str, extra: str, path: Path) -> Any:
    """Import an optional dependency or raise a one-line error naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(
            str(path), f"{extra} export needs {module.split('.')[0]}: pip install 'jinlong-extract[{extra}]'"
        ) from None


def _plain(value: Any, kind: str) -> Any:
    """A value as stored in typed binary formats: lists as JSON text, text as str."""
    if value is None:
        return None
    if kind == "list":
        return cell_text(value)
    if kind == "str" and not isinstance(value, str):
        return str(value)
    return value


class _ParquetSink(_Sink):
    """Parquet via pyarrow (optional extra ``parquet``); list columns hold JSON text."""

    def __init__(self, final: Path, table: str, owner: int | None = None) -> None:
        super().__init__(final, table, owner)
        pa = _require("pyarrow", "parquet", final)
        pq = _require("pyarrow.parquet", "parquet", final)
        self.pa = pa
        arrow = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string(), "list": pa.string()}
        self.types = TYPES[table]
        self.schema = pa.schema([(c, arrow[self.types[c]]) for c in self.columns])
        self.writer = pq.ParquetWriter(str(self.tmp), self.schema, compression="zstd")
        self.buffer: list[tuple[Any, ...]] = []
        self.closed = False

    def _flush(self) -> None:
        if not self.buffer:
            return
        pa, rows = self.pa, self.buffer
        arrays = []
        for c, column in zip(self.columns, zip(*rows)):
            kind = self.types[c]
            if kind in ("list", "str"):
                column = [_plain(v, kind) for v in column]
            arrays.append(pa.array(column, type=self.schema.field(c).type))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.buffer = []

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self.buffer.extend(rows)
        if len(self.buffer) >= PARQUET_BATCH:
            self._flush()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._flush()
        finally:
            self.writer.close()

    def abort(self) -> None:
        self.buffer = []
        super().abort()


class _XlsxBook:
    """One workbook (openpyxl write-only mode), one sheet per table, saved at commit."""

    def __init__(self, final: Path, owner: int | None = None) -> None:
        openpyxl = _require("openpyxl", "xlsx", final)
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self.final = final
        self.tmp = temp_path(final, owner)
        self.illegal = ILLEGAL_CHARACTERS_RE
        self.book = openpyxl.Workbook(write_only=True)
        self.sheets: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        self.parts: dict[str, int] = {}

    def _sheet(self, table: str) -> Any:
        sheet = self.sheets.get(table)
        if sheet is None or self.counts[table] >= XLSX_MAX_ROWS:
            part = self.parts.get(table, 0) + 1
            self.parts[table] = part
            sheet = self.book.create_sheet(table if part == 1 else f"{table}_{part}")
            sheet.append(list(COLUMNS[table]))
            self.sheets[table] = sheet
            self.counts[table] = 1
        return sheet

    def _cell(self, value: Any, kind: str) -> Any:
        if kind == "list" and value:
            return self._list_cell(value.items() if type(value) is Encoded else list(value))
        value = _plain(value, kind)
        if isinstance(value, str):
            value = self.illegal.sub("", value)
            if len(value) > XLSX_MAX_CELL:
                value = value[:XLSX_MAX_CELL]
        return value

    def _list_cell(self, items: list[Any]) -> str:
        """A list as JSON text that fits one Excel cell: whole items are dropped from the end
        until it fits, so the cell always stays valid JSON (CSV/JSON/Parquet keep every item)."""
        text = self.illegal.sub("", dumps(items))
        while len(text) > XLSX_MAX_CELL and items:
            keep = max(0, min(len(items) - 1, len(items) * XLSX_MAX_CELL // len(text) - 1))
            items = items[:keep]
            text = self.illegal.sub("", dumps(items))
        return text

    def ensure(self, table: str) -> None:
        self._sheet(table)

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        kinds = [TYPES[table][c] for c in COLUMNS[table]]
        for row in rows:
            sheet = self._sheet(table)
            sheet.append([self._cell(v, k) for v, k in zip(row, kinds)])
            self.counts[table] += 1

    def close(self) -> None:
        if not self.sheets:
            self.book.create_sheet("facts").append(list(COLUMNS["facts"]))
        self.book.save(str(self.tmp))

    def abort(self) -> None:
        # finish each sheet's stream and drop openpyxl's own temporary files too
        for sheet in self.book.worksheets:
            try:
                if not sheet.closed:
                    sheet.close()
                if sheet._writer is not None:
                    sheet._writer.cleanup()
            except Exception:
                pass
        _unlink(self.tmp)


#: Cells (rows plus list items) encoded at a time by :meth:`TableWriter.write`: bounds the memory
#: a big table needs.
WRITE_CHUNK = 4096


#: Formats whose list cells are JSON text (they can share one encoding of each cell).
_TEXT_FORMATS = ("csv", "json", "jsonl")

_SINKS = {"csv": _CsvSink, "json": _JsonSink, "jsonl": _JsonlSink, "parquet": _ParquetSink}


def parse_formats(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"csv,json"`` -> ``("csv", "json")``; raises ``ValueError`` naming an unknown format.

    >>> parse_formats("json, CSV,json")
    ('csv', 'json')
    """
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted = {s.strip().lower() for s in items if s.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    if not wanted:
        raise ValueError(f"no output format given (choose from {', '.join(FORMATS)})")
    return tuple(f for f in FORMATS if f in wanted)


class TableWriter:
    """Append rows to several tables in several formats; publish them all at :meth:`commit`.

    Tables named in ``tables`` are always written (with a header only if they get no rows);
    others are written if rows are added. Tables named in ``remove_stale`` that this writer did
    not write are deleted (in the chosen formats) at commit, so no earlier run's table is left
    looking like part of this one. Used as a context manager it commits on success and
    removes every temporary file on any exception (including ``KeyboardInterrupt``).

    >>> import tempfile
    >>> from jinlong_extract import records
    >>> out = tempfile.mkdtemp()
    >>> with TableWriter(out, ("csv", "json"), tables=("documents",)) as w:
    ...     n = w.write("documents", [records.Document(path="a.txt")])
    >>> sorted(p.name for p in Path(out).iterdir())
    ['documents.csv', 'documents.json']
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        formats: Iterable[str] = ("csv", "json"),
        *,
        tables: Iterable[str] = ("facts", "documents"),
        remove_stale: Iterable[str] = (),
        owner: int | None = None,
    ) -> None:
        self.out = Path(out_dir)
        self.owner = owner  #: the process that publishes the files, if another (see temp_path)
        self.formats = parse_formats(list(formats))
        self.declared = [t for t in tables]
        for t in self.declared:
            if t not in COLUMNS:
                raise ValueError(f"unknown table {t} (choose from {', '.join(TABLES)})")
        self.remove_stale = tuple(remove_stale)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExportError(str(self.out), f"cannot create output directory ({err.strerror or err})") from None
        if not os.access(self.out, os.W_OK):
            raise ExportError(str(self.out), "output directory is not writable")
        self.sinks: dict[tuple[str, str], _Sink] = {}
        self.only: dict[str, tuple[str, ...]] = {}  #: tables written in some formats only (write)
        self.adopted: list[tuple[Path, Path]] = []
        self.book: _XlsxBook | None = None
        self.done = False
        try:
            if "xlsx" in self.formats:
                self.book = _XlsxBook(self.out / XLSX_NAME, owner)
            if "parquet" in self.formats:
                _require("pyarrow.parquet", "parquet", self.out / "facts.parquet")
            for t in self.declared:
                self._open(t)
        except BaseException:
            self.abort()
            raise

    def _open(self, table: str, formats: Iterable[str] | None = None) -> None:
        for fmt in self.formats if formats is None else formats:
            if fmt == "xlsx":
                assert self.book is not None
                self.book.ensure(table)
            elif (table, fmt) not in self.sinks:
                self.sinks[(table, fmt)] = _SINKS[fmt](self.out / f"{table}.{fmt}", table, self.owner)

    def write(self, table: str, items: Iterable[Any], formats: Iterable[str] | None = None) -> int:
        """Append records (``Fact``, ``Document`` …) or row dicts to ``table``; returns the row count.

        ``items`` may be any iterable (a generator over a whole run's facts): it is consumed in
        chunks of about :data:`WRITE_CHUNK` cells (:meth:`Layout.chunks`), so the rows being
        encoded never outgrow one chunk. ``formats`` (some of the writer's) writes a table that
        is new to this writer in those formats only: another writer, in another process, writes
        it in the others (:meth:`adopt`).
        """
        if table not in COLUMNS:
            raise ValueError(f"unknown table {table} (choose from {', '.join(TABLES)})")
        chosen = self.formats if formats is None else tuple(f for f in self.formats if f in formats)
        if table not in self.declared:
            self.declared.append(table)
            self._open(table, chosen)
            if chosen != self.formats:
                self.only[table] = chosen
        else:
            opened = self.only.get(table, self.formats)
            if formats is not None and chosen != opened:
                raise ValueError(f"{table} is written in {', '.join(opened)}, not {', '.join(chosen)}")
            chosen = opened
        lay = layout(table)
        # several text formats: encode each long list cell (mentions, sources …) once for all
        share = sum(f in _TEXT_FORMATS for f in chosen) > 1
        n = 0
        for rows in lay.chunks(items, WRITE_CHUNK):
            encoded = lay.encode_lists(rows) if share else rows
            for fmt in chosen:
                if fmt == "xlsx":
                    assert self.book is not None
                    self.book.write(table, rows)
                else:
                    self.sinks[(table, fmt)].write(encoded if fmt in _TEXT_FORMATS else rows)
            n += len(rows)
        return n

    def close(self) -> list[tuple[Path, Path]]:
        """Finish every temporary file without publishing it: the ``(temporary, final)`` pairs,
        for a writer in another process to :meth:`adopt` and publish with its own tables."""
        pending: list[tuple[Path, Path]] = []
        try:
            for sink in self.sinks.values():
                sink.close()
                pending.append((sink.tmp, sink.final))
            if self.book is not None:
                self.book.close()
                pending.append((self.book.tmp, self.book.final))
        except BaseException:
            self.abort()
            raise
        self.done = True
        return pending

    def adopt(self, pending: Iterable[tuple[Path, Path]]) -> None:
        """Publish another writer's closed files (:meth:`close`) with this writer's at :meth:`commit`."""
        for tmp, final in pending:
            self.adopted.append((Path(tmp), Path(final)))
            table = Path(final).name.split(".")[0]
            if table not in self.declared:
                self.declared.append(table)

    def commit(self) -> list[Path]:
        """Close every temporary file, then move them all into place. Returns the final paths."""
        if self.done:
            return []
        pending = self.close() + self.adopted
        order = {name: i for i, name in enumerate(TABLES)}
        pending.sort(key=lambda p: (order.get(p[1].name.split(".")[0], len(order)), p[1].suffix != ".csv", p[1].name))
        for tmp, final in pending:
            os.replace(tmp, final)
        self.adopted = []
        for table in self.remove_stale:  # an earlier run's table this run did not produce
            if table in self.declared:
                continue
            for fmt in self.formats:
                if fmt != "xlsx":
                    _unlink(self.out / f"{table}.{fmt}")
        return [final for _, final in pending]

    def abort(self) -> None:
        """Drop every temporary file (adopted ones too); published tables are left as they were."""
        self.done = True
        for sink in self.sinks.values():
            sink.abort()
        if self.book is not None:
            self.book.abort()
        for tmp, _ in self.adopted:
            _unlink(tmp)
        self.adopted = []

    def abort_process(self, pid: int) -> None:
        """Remove the temporary files named after process ``pid`` (:func:`temp_path`) in the output
        folder: those of a writer process that was killed, or that it wrote for ``pid``."""
        for tmp in self.out.glob(f".*.{pid}.*.tmp"):
            _unlink(tmp)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_tables(
    out_dir: str | os.PathLike[str],
    tables: dict[str, Iterable[Any]],
    formats: Iterable[str] = ("csv", "json"),
) -> list[Path]:
    """Write whole tables at once (atomically); returns the paths written.

    >>> import tempfile
    >>> from jinlong_extract import records
    >>> out = tempfile.mkdtemp()
    >>> [p.name for p in write_tables(out, {"documents": [records.Document(path="a.txt")]}, ["jsonl"])]
    ['documents.jsonl']
    """
    writer = TableWriter(out_dir, formats, tables=tuple(tables))
    try:
        for name, items in tables.items():
            writer.write(name, items)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


def write_jsonl(stream: IO[str], table: str, items: Iterable[Any]) -> int:
    """Write records as JSON Lines to an open text stream (``--out -``); returns the row count."""
    lay = layout(table)
    n = 0
    for rows in lay.chunks(items, WRITE_CHUNK):
        if rows:
            stream.write("\n".join(map(dumps, lay.dicts(rows))) + "\n")
        n += len(rows)
    return n
