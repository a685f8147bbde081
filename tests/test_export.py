"""Writers (csv/json/jsonl/parquet/xlsx), atomic publication, streaming, and load() dtypes."""

from __future__ import annotations

import builtins
import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinlong_extract import records
from jinlong_extract.export import (
    COLUMNS,
    FORMATS,
    XLSX_NAME,
    ExportError,
    TableWriter,
    atomic_open,
    cell_text,
    load,
    parse_formats,
    remove_abandoned,
    write_jsonl,
    write_tables,
)


def _fact(doc: str, start: int, text: str, kind: str, value: float | None, **kw) -> records.Fact:
    base = dict(
        doc=doc, article=0, start=start, end=start + len(text), text=text, kind=kind, value=value,
        low=value, high=value, qualifier="exact", unit="元" if kind == "money" else "个",
        currency="CNY" if kind == "money" else None, object=None, metric=None, subject=None, year=None,
        period_start=None, period_end=None, cumulative=False, sentence=f"……{text}……",
    )
    base.update(kw)
    return records.Fact(**base)


FACTS = [
    _fact("a/000.txt", 10, "149.53亿元", "money", 14953000000.0, metric="投资额", year=2024, subject="天津市",
          subject_ids=["ORG:天津市"], date="2024-07-19", year_source="explicit"),
    _fact("a/000.txt", 40, "3至5个", "count", 3.0, low=3.0, high=5.0, qualifier="range", object="项目"),
    _fact("b.txt", 5, "超20亿元", "money", 2e9, high=None, qualifier="min", cumulative=True,
          sentence='含"引号",逗号\n和换行'),
    _fact("b.txt", 90, "200\n\n余家", "count", 200.0, qualifier="approx", unit="家", period_start=2019,
          period_end=2021),
]
DOCS = [
    records.Document(path="a/000.txt", source="/x/a/000.txt", encoding="utf-8", script="simplified",
                     date="2024-07-19", articles=1, facts=2, sha256="ab", size=1200),
    records.Document(path="c.bin", source="/x/c.bin", errors=["binary file (NUL bytes)"], skipped=True),
]
RECONCILED = [
    records.Reconciled(
        id="R1", kind="money", metric="投资额", subject="天津市", subject_id="ORG:1", year=2024, period_start=None,
        period_end=None, cumulative=False, unit="元", value=1.4953e10, low=1.4953e10, high=1.4953e10,
        qualifier="exact", n_sources=2,
        sources=[records.Source("a/000.txt#10-18", "a/000.txt", 0, 10, 18, "149.53亿元", 1.4953e10, "2024-07-19")],
        rule="same-value", conflict=True, conflict_with=["R2"],
    )
]
ENTITIES = [
    records.Entity(id="ORG:1", type="ORG", canonical="天津市", aliases=["天津", "津"],
                   mentions=[records.Mention("a/000.txt", 0, 0, 2, "天津", "ORG")])
]
SERIES = [records.SeriesPoint("S1", "天津市", "投资额", "元", "2024-07-19", 1.4953e10, "R1", ["a/000.txt#10-18"])]
ALL = {"facts": FACTS, "documents": DOCS, "entities": ENTITIES, "reconciled": RECONCILED, "series": SERIES}


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_load(tmp_path: Path, fmt: str) -> None:
    write_tables(tmp_path, ALL, [fmt])
    tables = load(tmp_path)
    assert set(tables) == set(ALL)
    facts = tables["facts"]
    assert list(facts.columns) == list(records.FACT_COLUMNS)
    assert list(facts["text"]) == [f.text for f in FACTS]  # Chinese and line breaks intact
    assert str(facts["year"].dtype) == "Int64" and facts["year"][0] == 2024 and facts["year"].isna()[1]
    assert str(facts["period_start"].dtype) == "Int64" and facts["period_start"][3] == 2019
    assert str(facts["value"].dtype) == "float64" and facts["value"][0] == 14953000000.0
    assert facts["high"].isna()[2]
    assert str(facts["cumulative"].dtype) == "boolean" and list(facts["cumulative"]) == [False, False, True, False]
    assert str(facts["text"].dtype) == "string"
    assert facts["object"].isna()[0] and facts["object"][1] == "项目"
    assert facts["subject_ids"][0] == ["ORG:天津市"] and facts["subject_ids"][1] == []
    assert facts["sentence"][2] == '含"引号",逗号\n和换行'
    docs = tables["documents"]
    assert list(docs.columns) == list(records.DOCUMENT_COLUMNS)
    assert docs["errors"][1] == ["binary file (NUL bytes)"] and docs["errors"][0] == []
    assert list(docs["skipped"]) == [False, True] and str(docs["size"].dtype) == "Int64"
    rec = tables["reconciled"]
    assert bool(rec["conflict"][0]) is True and str(rec["conflict"].dtype) == "boolean"
    assert rec["conflict_with"][0] == ["R2"] and rec["sources"][0][0]["text"] == "149.53亿元"
    assert tables["entities"]["aliases"][0] == ["天津", "津"] and tables["entities"]["n_mentions"][0] == 1
    assert tables["series"]["fact_ids"][0] == ["a/000.txt#10-18"]


def test_csv_has_bom_and_documented_header(tmp_path: Path) -> None:
    write_tables(tmp_path, {"facts": FACTS}, ["csv"])
    raw = (tmp_path / "facts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "facts.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == records.FACT_COLUMNS
    assert rows[1][records.FACT_COLUMNS.index("subject_ids")] == '["ORG:天津市"]'
    assert rows[3][records.FACT_COLUMNS.index("cumulative")] == "true"
    assert rows[2][records.FACT_COLUMNS.index("year")] == ""  # null is an empty cell


@pytest.mark.parametrize("batches", [[], [[]], [FACTS[:1]], [FACTS[:2], [], FACTS[2:]], [[f] for f in FACTS]])
def test_json_array_written_incrementally_is_valid(tmp_path: Path, batches: list) -> None:
    with TableWriter(tmp_path, ["json", "jsonl"], tables=["facts"]) as writer:
        for batch in batches:
            writer.write("facts", batch)
    expected = [f.text for batch in batches for f in batch]
    array = json.loads((tmp_path / "facts.json").read_text(encoding="utf-8"))
    assert [r["text"] for r in array] == expected
    assert list(array[0]) == list(records.FACT_COLUMNS) if array else array == []
    lines = (tmp_path / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == expected
    assert "149.53亿元" in (tmp_path / "facts.json").read_text(encoding="utf-8") or not expected  # ensure_ascii=False


@pytest.mark.parametrize("fmt", FORMATS)
def test_exception_mid_write_leaves_no_partial_table(tmp_path: Path, fmt: str) -> None:
    name = XLSX_NAME if fmt == "xlsx" else f"facts.{fmt}"
    write_tables(tmp_path, {"facts": FACTS[:1]}, [fmt])  # an earlier, complete run
    before = (tmp_path / name).read_bytes()
    with pytest.raises(RuntimeError):
        with TableWriter(tmp_path, [fmt], tables=["facts", "documents"]) as writer:
            writer.write("facts", FACTS)
            writer.write("documents", DOCS)
            raise RuntimeError("simulated crash in the middle of a run")
    assert (tmp_path / name).read_bytes() == before  # the old table is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temp files, no new table


def test_interrupt_mid_write_leaves_no_partial_table(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with TableWriter(tmp_path, ["csv", "json"], tables=["facts"]) as writer:
            writer.write("facts", FACTS)
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_failure_while_closing_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jinlong_extract.export import writers

    def broken_close(self) -> None:
        raise OSError(28, "No space left on device")

    writer = TableWriter(tmp_path, ["csv", "json"], tables=["facts"])
    writer.write("facts", FACTS)
    monkeypatch.setattr(writers._JsonSink, "close", broken_close)
    with pytest.raises(OSError):
        writer.commit()
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".tmp")] == []
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".facts.csv")] == []


def test_atomic_open_keeps_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        with atomic_open(target, encoding="utf-8") as fh:
            fh.write("half of the new")
            raise ValueError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_what_a_killed_writer_left_is_removed(tmp_path: Path) -> None:
    """Temporary files of a process that no longer runs (``kill -9`` mid-write) go; a running
    process's, and files of any other name, stay."""
    import os

    dead, live = _dead_pid(), os.getpid()
    abandoned = [f".facts.csv.{dead}.0123abcd.tmp", f".{XLSX_NAME}.{dead}.deadbeef.tmp", f".report.html.{dead}.00000000.tmp"]
    kept = [f".facts.csv.{live}.0123abcd.tmp", f".facts.csv.{dead}.xyz.tmp", "facts.csv.tmp", f"notes.{dead}.0123abcd.tmp",
            "facts.csv"]
    for name in abandoned + kept:
        (tmp_path / name).write_text("half", encoding="utf-8")
    assert sorted(p.name for p in remove_abandoned(tmp_path)) == sorted(abandoned)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)
    assert remove_abandoned(tmp_path / "no-such-folder") == []


def test_missing_pyarrow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.split(".")[0] == "pyarrow":
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    import importlib

    monkeypatch.setattr(importlib, "import_module", lambda name, *a: no_pyarrow(name))
    with pytest.raises(ExportError, match=r"jinlong-extract\[parquet\]"):
        TableWriter(tmp_path, ["csv", "parquet"])
    assert list(tmp_path.iterdir()) == []


def test_xlsx_one_sheet_per_table_and_illegal_characters(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    dirty = _fact("d.txt", 0, "5个", "count", 5.0, sentence="控制\x01字符\x0b照样写入5个")
    write_tables(tmp_path, {"facts": [dirty], "documents": DOCS, "series": SERIES}, ["xlsx"])
    book = openpyxl.load_workbook(tmp_path / XLSX_NAME, read_only=True)
    assert book.sheetnames == ["facts", "documents", "series"]
    book.close()
    assert load(tmp_path)["facts"]["sentence"][0] == "控制字符照样写入5个"


def test_xlsx_spills_long_tables_onto_continuation_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from jinlong_extract.export import writers

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)  # header + 2 rows per sheet
    write_tables(tmp_path, {"facts": FACTS}, ["xlsx"])
    book = openpyxl.load_workbook(tmp_path / XLSX_NAME, read_only=True)
    assert book.sheetnames == ["facts", "facts_2"]
    book.close()
    assert list(load(tmp_path)["facts"]["text"]) == [f.text for f in FACTS]


def test_load_prefers_typed_formats_and_ignores_others(tmp_path: Path) -> None:
    write_tables(tmp_path, {"facts": FACTS}, ["csv"])
    write_tables(tmp_path, {"facts": FACTS[:1]}, ["json"])
    (tmp_path / ".jinlong-cache.sqlite").write_bytes(b"not a table")
    assert len(load(tmp_path)["facts"]) == 1  # json wins over csv


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "no jinlong tables"),
    (lambda d: (d / "facts.json").write_text("{broken", encoding="utf-8"), "cannot read table"),
    (lambda d: (d / "facts.json").write_text('{"a": 1}', encoding="utf-8"), "not a JSON array"),
])
def test_load_errors_name_the_file(tmp_path: Path, setup, message: str) -> None:
    setup(tmp_path)
    with pytest.raises(ExportError, match=message):
        load(tmp_path)


def test_load_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no such output directory"):
        load(tmp_path / "nope")


@pytest.mark.parametrize("spec, expected", [
    ("csv,json", ("csv", "json")),
    ("JSON, csv ,json", ("csv", "json")),
    ("xlsx,parquet,jsonl", ("jsonl", "parquet", "xlsx")),
])
def test_parse_formats(spec: str, expected: tuple) -> None:
    assert parse_formats(spec) == expected


@pytest.mark.parametrize("spec", ["", "csv,xls", "tsv", ",,"])
def test_parse_formats_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_formats(spec)


@pytest.mark.parametrize("value, text", [
    (None, ""), (True, "true"), (False, "false"), (0.1, "0.1"), (14953000000.0, "14953000000.0"),
    (["天津", "武威"], '["天津","武威"]'), ([], "[]"), (2024, "2024"), ("余家", "余家"),
])
def test_cell_text(value, text: str) -> None:
    assert cell_text(value) == text


def test_write_jsonl_to_stream() -> None:
    import io

    buf = io.StringIO()
    assert write_jsonl(buf, "facts", FACTS) == len(FACTS)
    rows = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [f.id for f in FACTS]
    assert list(rows[0]) == list(records.FACT_COLUMNS)


@pytest.mark.parametrize("stale, left", [
    ((), ["documents.csv", "facts.csv", "facts.json", "series.csv", "series.json"]),
    (("series",), ["documents.csv", "facts.csv", "facts.json", "series.json"]),  # json not written this time
    (("facts", "documents", "series"), ["facts.csv", "facts.json", "series.json"]),
])
def test_remove_stale_tables_of_the_chosen_formats(tmp_path: Path, stale: tuple, left: list) -> None:
    write_tables(tmp_path, {"facts": FACTS, "documents": DOCS, "series": SERIES}, ["csv"])
    write_tables(tmp_path, {"facts": FACTS, "series": SERIES}, ["json"])
    with TableWriter(tmp_path, ["csv"], tables=["facts"], remove_stale=stale) as writer:
        writer.write("facts", FACTS[:1])
    assert sorted(p.name for p in tmp_path.iterdir()) == left


def test_unknown_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        TableWriter(tmp_path, ["csv"], tables=["figures"])


def test_columns_follow_records() -> None:
    assert COLUMNS["facts"] == records.FACT_COLUMNS
    assert COLUMNS["documents"] == records.DOCUMENT_COLUMNS
    assert COLUMNS["entities"][-1] == "n_mentions"


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_text, min_size=1, max_size=5), fmt=st.sampled_from(["csv", "json", "jsonl"]),
       values=st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)), min_size=5, max_size=5))
def test_property_text_and_values_survive_round_trip(tmp_path_factory, texts, fmt, values) -> None:
    out = tmp_path_factory.mktemp("rt")
    facts = [_fact("p.txt", i, t, "count", values[i], sentence=t, subject_ids=[t]) for i, t in enumerate(texts)]
    write_tables(out, {"facts": facts}, [fmt])
    frame = load(out)["facts"]
    # CSV cannot tell an empty string from null: both come back as null
    expect = [t if (t or fmt != "csv") else None for t in texts]
    got = [None if pd.isna(v) else v for v in frame["sentence"].astype(object)]
    assert got == expect
    assert list(frame["subject_ids"]) == [[t] for t in texts]
    got_values = [None if pd.isna(v) else v for v in frame["value"]]
    assert got_values == values[: len(texts)]


def test_xlsx_long_lists_stay_valid_json(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    mentions = [records.Mention(f"doc{i:05d}.txt", 0, i, i + 2, "天津", "LOC") for i in range(2000)]
    entity = records.Entity(id="LOC:1", type="LOC", canonical="天津市", aliases=["天津"], mentions=mentions)
    write_tables(tmp_path, {"entities": [entity]}, ["xlsx", "json"])
    from jinlong_extract.export import load as load_tables

    full = load_tables(tmp_path)["entities"]  # json is preferred: every mention
    assert len(full["mentions"][0]) == 2000
    (tmp_path / "entities.json").unlink()
    cut = load_tables(tmp_path)["entities"]
    kept = cut["mentions"][0]
    assert 0 < len(kept) < 2000 and kept[0]["doc"] == "doc00000.txt" and kept[-1]["text"] == "天津"
    assert cut["n_mentions"][0] == 2000  # the count still tells how many there are


def test_public_api_load_is_this_load() -> None:
    import jinlong_extract

    assert jinlong_extract.load is load


def _long_entity_rows(n: int, items: bool) -> list[tuple]:
    """Entity rows as the spool gives them: the mentions' JSON already encoded, one cell long
    (``n`` mentions, with quotes, commas, line breaks and Chinese in them) between short ones."""
    from jinlong_extract.export.tables import Encoded, dumpb

    def row(i: int, k: int) -> tuple:
        mentions = [dumpb(records.Mention(f'd"{j},\n{i}.txt', 0, j, j + 2, "天津港" * (j % 4), "ORG")) for j in range(k)]
        cell = Encoded.of_items(mentions) if items else Encoded(b"[" + b",".join(mentions) + b"]", k)
        return (f"ORG:{i}", "ORG", f"天津{i}", [f'别"名{i}'], cell, [], None, "rule, one", k)

    return [row(0, 3), row(1, n), row(2, n + 1), row(3, 1), row(4, n)]


@pytest.mark.parametrize("items", [True, False])
@pytest.mark.parametrize("fmts", [("csv",), ("json",), ("jsonl",), ("csv", "json", "jsonl")])
def test_long_cells_are_streamed_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, items: bool, fmts) -> None:
    """A cell of STREAM_ITEMS items or more is written piece by piece (never whole, see
    Encoded.pieces): the files are the same bytes as when every cell is written whole."""
    from jinlong_extract.export import tables

    monkeypatch.setattr(tables, "STREAM_ITEMS", 50)
    pieces = []
    real = tables.Encoded.pieces
    monkeypatch.setattr(tables.Encoded, "pieces", lambda self, batch=7: pieces.append(1) or real(self, batch))
    with TableWriter(tmp_path / "streamed", fmts, tables=("entities",)) as w:
        w.write("entities", _long_entity_rows(60, items))
    assert pieces  # (the long cells did go piece by piece)
    monkeypatch.setattr(tables, "STREAM_ITEMS", 10**9)
    with TableWriter(tmp_path / "whole", fmts, tables=("entities",)) as w:
        w.write("entities", _long_entity_rows(60, items))
    for fmt in fmts:
        streamed = (tmp_path / "streamed" / f"entities.{fmt}").read_bytes()
        assert streamed == (tmp_path / "whole" / f"entities.{fmt}").read_bytes(), fmt
    frame = load(tmp_path / "streamed")["entities"]
    assert [len(m) for m in frame["mentions"]] == [3, 60, 61, 1, 60]


_JSON_ITEMS = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["doc", "text", "a,b", 'q"']), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(_JSON_ITEMS, max_size=6), st.booleans(), st.text(max_size=8)), min_size=1, max_size=8))
def test_csv_writes_encoded_cells_as_the_csv_module_does(cells) -> None:
    """The CSV sink writes an encoded list cell's bytes where its placeholder stands: the file
    is the bytes the csv module writes from the cells' text (quoted or not, quotes doubled)."""
    import tempfile

    from jinlong_extract.export.tables import Encoded, dumpb, layout
    from jinlong_extract.export.writers import _CsvSink

    rows = []
    for i, (items, whole, name) in enumerate(cells):
        encoded = [dumpb(x) for x in items]
        cell = Encoded(b"[" + b",".join(encoded) + b"]", len(items)) if whole else Encoded.of_items(encoded)
        rows.append((f"ORG:{i}", "ORG", name, [name], cell, [], None, "rule", len(items)))
    with tempfile.TemporaryDirectory() as d:
        sink = _CsvSink(Path(d) / "entities.csv", "entities")
        sink.write(rows)
        sink.close()
        got = sink.tmp.read_bytes()
        with open(Path(d) / "plain.csv", "w", encoding="utf-8-sig", newline="") as fh:
            plain = csv.writer(fh)
            plain.writerow(COLUMNS["entities"])
            plain.writerows(layout("entities").text_rows(rows))
        assert got == (Path(d) / "plain.csv").read_bytes()


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=40),
       st.integers(1, 9))
def test_encoded_pieces_make_the_whole(texts: list[str], batch: int) -> None:
    """Pieces of either form of an encoded cell join to its JSON; a piece never cuts a character."""
    from jinlong_extract.export.tables import Encoded, dumpb

    items = [dumpb(t) for t in texts]
    whole = b"[" + b",".join(items) + b"]"
    for cell in (Encoded.of_items(list(items)), Encoded(whole, len(items))):
        got = list(cell.pieces(batch))
        assert b"".join(got) == whole
        for piece in got:
            piece.decode("utf-8")
    assert Encoded.of_items(list(items)).raw == whole
