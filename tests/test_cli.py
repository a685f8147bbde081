"""The ``jinlong`` command line: every command and flag of ``extract``, exit codes, stdout hygiene."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jinlong_extract import records
from jinlong_extract.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_SKIPPED, EXIT_TERMINATED, EXIT_USAGE, app
from jinlong_extract.export import XLSX_NAME, load

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

GOOD = "2024年07月19日\n天津市与甘肃省武威市签约112个项目，投资149.53亿元，同比增长21%。\n"
OTHER = "武威市新增就业1400余人，种植面积超3万亩，引进企业12家。\n"


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b.txt").write_text(OTHER, encoding="utf-8")
    return folder


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "extract" in result.stdout and "evaluate" in result.stdout


def test_no_arguments_is_a_usage_message() -> None:
    result = run()
    assert result.exit_code in (EXIT_OK, EXIT_USAGE)  # click prints help; never a traceback
    assert "extract" in result.output


def test_extract_default_outputs(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--no-cache")
    assert result.exit_code == EXIT_OK, result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"facts.csv", "facts.json", "documents.csv", "documents.json"} <= names
    raw = (out / "facts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets show the Chinese
    with open(out / "facts.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == records.FACT_COLUMNS
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts and all(tuple(f) == records.FACT_COLUMNS for f in facts)
    assert "112个" in {f["text"] for f in facts}
    docs = json.loads((out / "documents.json").read_text(encoding="utf-8"))
    assert sorted(d["path"] for d in docs) == ["a.txt", "b.txt"]
    assert all(tuple(d) == records.DOCUMENT_COLUMNS for d in docs)
    # grounding survives the export: the text is at its offsets in the file
    for f in facts:
        original = (inputs / os.path.basename(f["doc"])).read_text(encoding="utf-8")
        assert original[f["start"]:f["end"]] == f["text"]


def test_summary_on_stderr_only(inputs: Path, tmp_path: Path) -> None:
    result = run("extract", str(inputs), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert any(line.startswith("documents: 2 read, 0 skipped") for line in lines)
    figures = next(line for line in lines if line.startswith("figures: "))
    assert all(k in figures for k in records.KINDS)


def test_quiet_is_silent(inputs: Path, tmp_path: Path) -> None:
    result = run("extract", str(inputs), "--out", str(tmp_path / "out"), "--no-cache", "--quiet")
    assert result.exit_code == EXIT_OK
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.parametrize("fmt, files", [
    ("csv", ["facts.csv", "documents.csv"]),
    ("json", ["facts.json", "documents.json"]),
    ("jsonl", ["facts.jsonl", "documents.jsonl"]),
    ("parquet", ["facts.parquet", "documents.parquet"]),
    ("xlsx", [XLSX_NAME]),
    ("csv,jsonl,xlsx", ["facts.csv", "facts.jsonl", XLSX_NAME]),
])
def test_formats_round_trip_through_load(inputs: Path, tmp_path: Path, fmt: str, files: list[str]) -> None:
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--format", fmt, "--no-cache", "-q")
    assert result.exit_code == EXIT_OK, result.stderr
    names = {p.name for p in out.iterdir()}
    assert set(files) <= names
    assert not any(n.endswith(".tmp") for n in names)
    tables = load(out)
    facts = tables["facts"]
    assert list(facts.columns) == list(records.FACT_COLUMNS)
    assert "112个" in set(facts["text"])
    assert str(facts["year"].dtype) == "Int64" and str(facts["cumulative"].dtype) == "boolean"
    assert sorted(tables["documents"]["path"]) == ["a.txt", "b.txt"]


@pytest.mark.parametrize("table, present, absent", [
    ("documents", ["documents.csv"], ["facts.csv"]),
    ("facts", ["facts.csv"], ["documents.csv"]),
    ("facts,documents", ["facts.csv", "documents.csv"], []),
])
def test_table_selects_what_is_written(inputs: Path, tmp_path: Path, table: str, present, absent) -> None:
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--table", table, "-f", "csv", "--no-cache", "-q")
    assert result.exit_code == EXIT_OK
    names = {p.name for p in out.iterdir()}
    assert set(present) <= names and not set(absent) & names


def test_out_dash_streams_only_json_lines(inputs: Path) -> None:
    result = run("extract", str(inputs), "--out", "-", "--no-cache")
    assert result.exit_code == EXIT_OK
    lines = result.stdout.splitlines()
    assert lines
    rows = [json.loads(line) for line in lines]  # every stdout line is one JSON object
    assert all(tuple(r) == records.FACT_COLUMNS for r in rows)
    assert "112个" in {r["text"] for r in rows}
    assert "documents:" in result.stderr  # the summary went to stderr


def test_out_dash_other_table(inputs: Path) -> None:
    result = run("extract", str(inputs), "--out", "-", "--table", "documents", "-q")
    assert result.exit_code == EXIT_OK
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["path"] for r in rows) == ["a.txt", "b.txt"]


def test_stdin_dash(tmp_path: Path) -> None:
    result = run("extract", "-", "--out", "-", "-q", input=GOOD.encode("utf-8"))
    assert result.exit_code == EXIT_OK, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["doc"] for r in rows} == {"-"} and "112个" in {r["text"] for r in rows}


@pytest.mark.parametrize("args, hint", [
    (["--format", "csv,xls"], "xls"),
    (["--format", ""], "format"),
    (["--table", "figures"], "figures"),
    (["--out", "-", "--table", "facts,documents"], "one table"),
    (["--out", "-", "--report"], "report"),
    (["--engine", "spark"], "spark"),
    (["--jobs", "-1"], "jobs"),
    (["--kinds", "money,durations"], "durations"),
    (["--kinds", ","], "kind"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--engine dask"),
    (["--date", "2024-13-45"], "2024-13-45"),
    (["--no-such-flag"], "no-such-flag"),
])
def test_usage_errors_exit_2_and_write_nothing(inputs: Path, tmp_path: Path, args: list[str], hint: str) -> None:
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), *args)
    assert result.exit_code == EXIT_USAGE
    assert hint in result.output
    assert not out.exists()


def test_nothing_readable_exits_2_and_keeps_earlier_tables(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("extract", str(inputs), "--out", str(out), "--no-cache", "-q").exit_code == EXIT_OK
    before = (out / "facts.csv").read_bytes()
    result = run("extract", str(tmp_path / "missing.txt"), "--out", str(out), "--no-cache")
    assert result.exit_code == EXIT_USAGE
    assert "missing.txt" in result.stderr and "nothing readable" in result.stderr
    assert (out / "facts.csv").read_bytes() == before


def test_some_skipped_exits_1(inputs: Path, tmp_path: Path) -> None:
    (inputs / "empty.txt").write_bytes(b"")
    result = run("extract", str(inputs), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.exit_code == EXIT_SKIPPED
    assert any(line.startswith("skipped: ") and "empty.txt" in line for line in result.stderr.splitlines())


def test_interrupt_exits_130_without_partial_tables(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    from jinlong_extract.cli import extract as extract_cmd

    real_run = extract_cmd._run

    def interrupted(*args, **kwargs):
        for n, result in enumerate(real_run(*args, **kwargs)):
            if n == 1:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(extract_cmd, "_run", interrupted)
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--no-cache", "-f", "csv,json,xlsx")
    assert result.exit_code == EXIT_INTERRUPTED
    assert "interrupted" in result.stderr
    assert [p.name for p in out.iterdir()] == []  # no table, no temp file


def test_sigterm_exits_143_without_partial_tables(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    """``kill`` (a scheduler's time limit) stops a run as Ctrl-C does, and the handler is put back."""
    from jinlong_extract.cli import extract as extract_cmd

    real_run = extract_cmd._run

    def terminated(*args, **kwargs):
        for n, result in enumerate(real_run(*args, **kwargs)):
            if n == 1:
                os.kill(os.getpid(), signal.SIGTERM)
            yield result

    monkeypatch.setattr(extract_cmd, "_run", terminated)
    before = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--no-cache", "-f", "csv,json,xlsx")
    assert result.exit_code == EXIT_TERMINATED
    assert "terminated; no table was written" in result.stderr
    assert [p.name for p in out.iterdir()] == []  # no table, no temp file
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_killed_run_publishes_nothing_and_the_next_cleans_up(tmp_path: Path, jobs: str) -> None:
    """A real run, with its workers and forked writers: SIGTERM mid-run leaves the earlier run's
    tables as they were and no temporary file; files a ``kill -9``'d run left are removed by the
    next run, which publishes complete tables."""
    folder = tmp_path / "in"
    folder.mkdir()
    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    for i in range(400):  # several seconds of work
        seed = seeds[i % len(seeds)]
        (folder / f"{i:03d}-{seed.name}").write_bytes(seed.read_bytes() + f"\n第{i}篇。\n".encode("utf-8"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "facts.csv").write_text("an earlier run's table", encoding="utf-8")
    left = out / f".entities.json.{_dead_pid()}.0123abcd.tmp"  # as a kill -9'd writer leaves it
    left.write_text("[{", encoding="utf-8")
    cmd = [sys.executable, "-m", "jinlong_extract", "extract", str(folder), "--out", str(out), "--jobs", jobs, "-q"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
    while _stored(out / ".jinlong-cache.sqlite") < 40:  # well into the per-document stage
        assert proc.poll() is None, "the run ended before it could be terminated"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_TERMINATED, err
    assert "terminated; no table was written" in err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".jinlong-cache")) == ["facts.csv"]  # left gone too
    assert _stored(out / ".jinlong-cache.sqlite") >= 40  # finished documents kept
    assert (out / "facts.csv").read_text(encoding="utf-8") == "an earlier run's table"
    time.sleep(0.5)  # workers die with their parent
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT), timeout=300)
    assert done.returncode == EXIT_OK, done.stderr
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len(load(out)["documents"]) == 400


def _stored(db: Path) -> int:
    """Documents in a cache that a run is writing (0 before it has any)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return con.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_cache_is_kept_in_the_output_folder_unless_no_cache(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("extract", str(inputs), "--out", str(out), "-q", "--no-cache").exit_code == EXIT_OK
    assert not (out / ".jinlong-cache.sqlite").exists()
    first = (out / "facts.json").read_text(encoding="utf-8")
    assert run("extract", str(inputs), "--out", str(out), "-q").exit_code == EXIT_OK
    assert (out / ".jinlong-cache.sqlite").exists()
    assert run("extract", str(inputs), "--out", str(out), "-q").exit_code == EXIT_OK  # answered from the cache
    assert json.loads((out / "facts.json").read_text(encoding="utf-8")) == json.loads(first)


def test_kinds_filter(inputs: Path) -> None:
    result = run("extract", str(inputs), "--out", "-", "--kinds", "count", "-q")
    assert result.exit_code == EXIT_OK
    kinds = {json.loads(line)["kind"] for line in result.stdout.splitlines()}
    assert kinds == {"count"}


def test_date_resolves_relative_years(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("今年签约112个项目。\n", encoding="utf-8")
    result = run("extract", str(tmp_path / "c.txt"), "--out", "-", "--date", "2023-05-01", "-q", "--no-entities")
    assert result.exit_code == EXIT_OK
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["year"] for r in rows if r["text"] == "112个"] == [2023]


def test_globs_and_files(inputs: Path) -> None:
    result = run("extract", str(inputs / "*.txt"), str(inputs / "a.txt"), "--out", "-", "-t", "documents", "-q")
    assert result.exit_code == EXIT_OK
    paths = [json.loads(line)["path"] for line in result.stdout.splitlines()]
    assert len(paths) == 2 and {os.path.basename(p) for p in paths} == {"a.txt", "b.txt"}  # a.txt once


def test_report_flag_writes_html(inputs: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinlong_extract.report")
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--report", "-f", "csv", "--no-cache", "-q")
    assert result.exit_code == EXIT_OK, result.stderr
    assert (out / "facts.json").exists()  # the report reads the JSON tables, so they are written too
    html = next(p for p in out.iterdir() if p.suffix == ".html").read_text(encoding="utf-8")
    assert "112" in html


@pytest.mark.slow
def test_jobs_2_gives_the_same_tables(inputs: Path, tmp_path: Path) -> None:
    one = run("extract", str(inputs), "--out", "-", "--jobs", "1", "-q")
    two = run("extract", str(inputs), "--out", "-", "--jobs", "2", "-q")
    assert one.exit_code == two.exit_code == EXIT_OK
    assert one.stdout == two.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv,json", "jsonl,parquet", "csv,json,jsonl", "csv,xlsx"])
def test_jobs_2_writes_the_same_files(inputs: Path, tmp_path: Path, fmt: str) -> None:
    """With two jobs a forked child writes facts and entities while the parent reconciles, and
    then the reconciled tables are written in two processes, some formats each (the workbook
    always by the parent)."""
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        result = run("extract", str(inputs), "--out", str(out), "--jobs", jobs, "-f", fmt, "--no-cache", "-q")
        assert result.exit_code == EXIT_OK, result.stderr
        outs[jobs] = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix not in (".parquet", ".xlsx")}
        assert (out / "jinlong.xlsx").exists() == ("xlsx" in fmt)
    assert outs["1"] == outs["2"]
    assert {"facts", "entities", "reconciled"} <= {name.split(".")[0] for name in outs["2"]}
    assert not [n for n in outs["2"] if n.endswith(".tmp")]


@pytest.mark.slow
def test_dask_engine_gives_the_same_tables(inputs: Path) -> None:
    pytest.importorskip("distributed")
    local = run("extract", str(inputs), "--out", "-", "-q")
    dask = run("extract", str(inputs), "--out", "-", "--engine", "dask", "--jobs", "1", "-q")
    assert dask.exit_code == EXIT_OK, dask.stderr
    assert dask.stdout == local.stdout


@pytest.mark.slow
def test_python_dash_m_entry_point(inputs: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    help_ = subprocess.run([sys.executable, "-m", "jinlong_extract", "--help"], capture_output=True, text=True, env=env)
    assert help_.returncode == 0 and "extract" in help_.stdout
    done = subprocess.run(
        [sys.executable, "-m", "jinlong_extract", "extract", str(inputs), "--out", "-", "--no-cache"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert all(json.loads(line)["doc"] for line in done.stdout.splitlines())
    bad = subprocess.run([sys.executable, "-m", "jinlong_extract", "extract", str(tmp_path / "nope.txt"), "--out", "-"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert bad.returncode == EXIT_USAGE and bad.stdout == ""


def _tally():
    from collections import Counter

    from jinlong_extract.cli.extract import Tally

    return Tally(documents=3, skipped=[("bin.txt", "binary file (NUL bytes)")], kinds=Counter(money=2, count=5),
                 bytes=2_500_000, reconciled=6, conflicts=1, series=2, entities=4, written=["out/facts.csv"],
                 seconds=0.5)


def test_plain_summary_lines() -> None:
    from jinlong_extract.cli.extract import summary_lines

    assert summary_lines(_tally(), "out") == [
        "documents: 2 read, 1 skipped (2.5 MB in 0.5 s, 5.00 MB/s)",
        "figures: 7 (money 2, count 5, percent 0, quantity 0)",
        "entities: 4",
        "reconciled: 6 figures, 1 conflicts, 2 series",
        "skipped: bin.txt: binary file (NUL bytes)",
        "wrote: out/facts.csv",
    ]


def test_rich_summary_when_stderr_is_a_terminal(monkeypatch, capsys) -> None:
    from jinlong_extract.cli.extract import _summary

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _summary(_tally(), "out")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "jinlong extract" in captured.err and "│" in captured.err  # a table, not plain lines
    assert "binary file (NUL bytes)" in captured.err and "1 conflicts" in captured.err


def test_broken_pipe_on_stdout_stops_quietly(inputs: Path, monkeypatch) -> None:
    import jinlong_extract.export as export

    def closed_pipe(stream, table, items):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(export, "write_jsonl", closed_pipe)
    result = run("extract", str(inputs), "--out", "-", "--no-entities", "-q")
    assert result.exit_code == EXIT_OK
    assert "Traceback" not in result.output and result.stderr == ""


def test_disk_full_while_publishing_is_one_line(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    from jinlong_extract.export import TableWriter

    def full(self):
        self.abort()
        raise OSError(28, "No space left on device", str(self.out / "facts.csv"))

    monkeypatch.setattr(TableWriter, "commit", full)
    out = tmp_path / "out"
    result = run("extract", str(inputs), "--out", str(out), "--no-cache", "-q")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [f"jinlong: {out / 'facts.csv'}: cannot write (No space left on device)"]
    assert list(out.iterdir()) == []


def test_report_and_show_are_registered_when_present() -> None:
    import importlib.util

    from jinlong_extract.cli import OPTIONAL_COMMANDS

    listed = run("--help").stdout
    for name in OPTIONAL_COMMANDS:
        present = importlib.util.find_spec(f"jinlong_extract.cli.{name}") is not None
        assert (f"  {name} " in listed) == present, name


@pytest.mark.parametrize("source, registered, exit_code", [
    (None, False, None),  # module missing: no command, no error
    ("raise ImportError('needs something not installed')", True, EXIT_USAGE),
    ("def register(app):\n    raise RuntimeError('broken register')", True, EXIT_USAGE),
    ("def register(app):\n    app.command('extra')(lambda: print('ran'))", True, EXIT_OK),
])
def test_optional_command_registration(tmp_path: Path, monkeypatch, source, registered, exit_code) -> None:
    import typer

    from jinlong_extract.cli import register_optional

    module = "jinlong_optional_probe_" + str(abs(hash(source)))
    if source is not None:
        (tmp_path / f"{module}.py").write_text(source + "\n", encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
    target = typer.Typer()
    target.command("noop")(lambda: None)  # a group needs a second command to keep subcommand names
    assert register_optional(target, "extra", module) is registered
    if exit_code is not None:
        result = runner.invoke(target, ["extra", "--anything"] if exit_code == EXIT_USAGE else ["extra"])
        assert result.exit_code == exit_code
        if exit_code == EXIT_USAGE:
            assert result.stderr.startswith("jinlong extra: unavailable (") and len(result.stderr.splitlines()) == 1


def test_rerun_without_entities_removes_the_stale_entities_table(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("extract", str(inputs), "--out", str(out), "--no-cache", "-q", "-f", "csv").exit_code == EXIT_OK
    assert (out / "entities.csv").exists()
    assert run("extract", str(inputs), "--out", str(out), "--no-cache", "-q", "-f", "csv", "--no-entities").exit_code == 0
    assert not (out / "entities.csv").exists() and (out / "facts.csv").exists()
    assert run("extract", str(inputs), "--out", str(out), "--no-cache", "-q", "-f", "csv", "-t", "facts").exit_code == 0
    assert (out / "documents.csv").exists()  # not asked for this time: left alone


def test_cli_import_is_light() -> None:
    """`jinlong --help` must stay fast: importing the app pulls in no heavy module (not a timed test)."""
    heavy = ["pandas", "pyarrow", "openpyxl", "dask", "jieba", "htmldate", "opencc", "rich",
             "jinlong_extract.pipeline", "jinlong_extract.export", "jinlong_extract.evaluate"]
    code = ("import sys, jinlong_extract.cli; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
