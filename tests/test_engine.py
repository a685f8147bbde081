"""The local engine: order, jobs=1 vs jobs=2, interruption, progress, the real pipeline.

Development cases: a fake per-document function (``fake_process``) that finds ASCII digit runs,
so the engine is tested on its own; then the real ``pipeline.process_document`` over ``corpus/``
and ``tests/data/dev/``.
"""

from __future__ import annotations

import doctest
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import jinlong_extract.engine as engine
from jinlong_extract.engine import Cache, RunStats, cache as cache_mod, local, reader, run_documents
from jinlong_extract.options import Options
from jinlong_extract.records import Document, DocumentResult, Fact

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "dev").glob("*.txt"))
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def fake_process(data: bytes | None, path: str, source: str = "", options: Options | None = None) -> DocumentResult:
    """A deterministic stand-in for ``pipeline.process_document``: every digit run is a count."""
    if data is None:
        return DocumentResult(Document(path=path, source=source, skipped=True, errors=[f"{path}: unreadable"]))
    text = data.decode("utf-8", errors="replace")
    facts = [
        Fact(path, 0, m.start(), m.end(), m.group(), "count", float(m.group()), float(m.group()),
             float(m.group()), "exact", "个", None, None, None, None, None, None, None, False, "")
        for m in _DIGITS.finditer(text)
    ]
    doc = Document(path=path, source=source, encoding="utf-8", facts=len(facts), size=len(data))
    return DocumentResult(doc, facts=facts)


def interrupting_process(data, path, source="", options=None):
    """Like ``fake_process`` but Ctrl-C arrives while processing ``doc_005.txt``."""
    if path == "doc_005.txt":
        raise KeyboardInterrupt
    return fake_process(data, path, source, options)


def slow_big_process(data, path, source="", options=None):
    """Like ``fake_process`` but ``big.txt`` takes half a second."""
    if path == "big.txt":
        time.sleep(0.5)
    return fake_process(data, path, source, options)


def failing_everywhere(data, path, source="", options=None):
    raise AssertionError("must not be called")


def failing_process(data, path, source="", options=None):
    if path == "doc_003.txt":
        raise ValueError("boom in doc_003")
    return fake_process(data, path, source, options)


def _write_docs(folder: Path, n: int, size: int = 1) -> list[tuple[str, str]]:
    """``n`` small files with distinct numbers; ``size`` repeats the sentence."""
    out = []
    for i in range(n):
        p = folder / f"doc_{i:03d}.txt"
        p.write_text(f"第{i}篇 签约{i * 7 + 3}个项目，投资{i * 1.5 + 2}亿元。\n" * size, encoding="utf-8")
        out.append((p.name, str(p)))
    return out


def _summary(results: list[DocumentResult]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [(r.document.path, [(f.start, f.end, f.text) for f in r.facts]) for r in results]


# ---- order and equality ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "n_docs, size",
    [
        (1, 1),  # a single file: the pool path still yields it
        (5, 1),  # fewer documents than a full batch
        (70, 1),  # several batches (batch size grows 1, 2, 4 … 32)
        (8, 2500),  # batches closed by bytes (~110 KB each document, 256 KB per batch)
    ],
)
def test_jobs_1_and_2_same_results_same_order(tmp_path: Path, n_docs: int, size: int) -> None:
    sources = _write_docs(tmp_path, n_docs, size)
    one = list(run_documents(sources, Options(), jobs=1, process=fake_process))
    two = list(run_documents(sources, Options(), jobs=2, process=fake_process))
    assert [r.document.path for r in one] == [name for name, _ in sources]
    assert one == two


def test_order_kept_when_first_document_is_slowest(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 12)
    big = tmp_path / "big.txt"
    big.write_text("销售额12亿元。" * 1000, encoding="utf-8")
    sources.insert(0, ("big.txt", str(big)))
    results = list(run_documents(sources, Options(), jobs=2, process=slow_big_process))
    assert [r.document.path for r in results] == [name for name, _ in sources]
    assert len(results[0].facts) == 1000


@pytest.mark.parametrize("jobs", [1, 2])
def test_unreadable_source_is_skipped_with_its_reason(tmp_path: Path, jobs: int) -> None:
    (tmp_path / "folder.txt").mkdir()
    sources = _write_docs(tmp_path, 2) + [
        ("missing.txt", str(tmp_path / "missing.txt")),
        ("folder.txt", str(tmp_path / "folder.txt")),
    ]
    db = str(tmp_path / "c.sqlite")
    results = list(run_documents(sources, Options(), jobs=jobs, process=fake_process, cache_path=db))
    assert [r.document.path for r in results] == [name for name, _ in sources]
    for r in results[2:]:
        assert r.document.skipped and len(r.document.errors) == 1 and "\n" not in r.document.errors[0]
        assert r.document.errors[0] != "unreadable"  # the reader's own words, e.g. "no such file"
    with Cache(db, Options()) as c:  # nothing to cache for an input that has no bytes
        assert sorted(c.paths()) == ["doc_000.txt", "doc_001.txt"]


def test_too_large_file_is_skipped_without_processing(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 1, size=100)
    results = list(run_documents(sources, Options(max_bytes=100), jobs=1, process=failing_everywhere))
    assert results[0].document.skipped and "too large" in results[0].document.errors[0]


def test_stdin_is_read_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    data = "签约12个项目。".encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    results = list(run_documents([("-", "-")], Options(), jobs=1, process=fake_process))
    assert [f.text for f in results[0].facts] == ["12"]


def test_exception_in_worker_reaches_caller(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 8)
    with pytest.raises(ValueError, match="boom in doc_003"):
        list(run_documents(sources, Options(), jobs=2, process=failing_process))


def test_unknown_engine_is_refused() -> None:
    from jinlong_extract.errors import JinlongError

    with pytest.raises(JinlongError, match="unknown engine"):
        list(run_documents([], Options(), engine="spark"))


def test_stats_count_hits_and_processed(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 6)
    db = str(tmp_path / "c.sqlite")
    first, second = RunStats(), RunStats()
    list(run_documents(sources, Options(), jobs=2, process=fake_process, cache_path=db, stats=first))
    list(run_documents(sources, Options(), jobs=2, process=fake_process, cache_path=db, stats=second))
    assert (first.processed, first.hits, first.added) == (6, 0, 6)
    assert (second.processed, second.hits, second.unchanged) == (0, 6, 6)
    assert second.documents == 6 and second.bytes == first.bytes > 0


# ---- interruption ----------------------------------------------------------------------------

def test_interrupted_run_keeps_finished_documents_inline(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 10)
    db = str(tmp_path / "c.sqlite")
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for r in run_documents(sources, Options(), jobs=1, process=interrupting_process, cache_path=db):
            seen.append(r.document.path)
    assert seen == [f"doc_{i:03d}.txt" for i in range(5)]
    with Cache(db, Options()) as c:
        assert sorted(c.paths()) == seen
    # the re-run only processes what was missing
    stats = RunStats()
    list(run_documents(sources, Options(), jobs=1, process=fake_process, cache_path=db, stats=stats))
    assert (stats.hits, stats.processed) == (5, 5)


def test_interrupted_run_keeps_finished_documents_pool(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 40)
    db = str(tmp_path / "c.sqlite")
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for r in run_documents(sources, Options(), jobs=2, process=interrupting_process, cache_path=db):
            seen.append(r.document.path)
    with Cache(db, Options()) as c:
        stored = set(c.paths())
    # everything before the interrupted document finished (it ran first in its batch or earlier)
    assert {f"doc_{i:03d}.txt" for i in range(5)} <= stored
    assert set(seen) <= stored
    assert "doc_005.txt" not in stored


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{tests!r}, {root!r}]
    from test_engine import fake_process
    from jinlong_extract.engine import run_documents
    from jinlong_extract.options import Options

    def slow(data, path, source="", options=None):
        time.sleep(0.05)
        return fake_process(data, path, source, options)

    sources = [(f"doc_{{i:03d}}.txt", f"{{sys.argv[1]}}/doc_{{i:03d}}.txt") for i in range(200)]
    for r in run_documents(sources, Options(), jobs=int(sys.argv[3]), process=slow, cache_path=sys.argv[2]):
        print(r.document.path, flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_kill_9_keeps_finished_documents(tmp_path: Path, jobs: int) -> None:
    _write_docs(tmp_path, 200)
    db = str(tmp_path / "c.sqlite")
    script = tmp_path / "run.py"
    script.write_text(_KILL_SCRIPT.format(tests=str(ROOT / "tests"), root=str(ROOT)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path), db, str(jobs)],
                            stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    printed = []
    assert proc.stdout is not None
    while len(printed) < 10:
        line = proc.stdout.readline()
        assert line, "the run ended before printing ten results"
        printed.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.2)  # workers die with their parent (PR_SET_PDEATHSIG)
    with Cache(db, Options()) as c:
        stored = set(c.paths())
        if jobs == 2:  # the pool commits each finished batch before yielding from it
            assert set(printed) <= stored
        else:  # one process commits every 0.1 s: each document takes 0.05 s, so <= 2 may be lost
            assert set(printed[:-2]) <= stored and len(stored) >= len(printed) - 2
        assert all(c.get(path, sha) is not None for path, sha in c.paths().items())


# ---- progress, reader, warm-up ---------------------------------------------------------------

def test_progress_is_silent_when_stderr_is_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sources = _write_docs(tmp_path, 3)
    list(run_documents(sources, Options(), jobs=1, process=fake_process, progress=True))
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_renders_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: int) -> None:
    import io

    from jinlong_extract.engine import progress as progress_mod

    monkeypatch.setattr(progress_mod, "_stderr_is_tty", lambda: True)
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buf)
    sources = _write_docs(tmp_path, 3)
    list(run_documents(sources, Options(), jobs=jobs, process=fake_process, progress=True))
    out = buf.getvalue()
    assert "3/3" in out and "MB/s" in out


@pytest.mark.parametrize(
    "source, expected",
    [
        ("s3://bucket/a.txt", True),
        ("https://example.com/a.html", True),
        ("file:///tmp/a.txt", False),
        ("corpus/a.txt", False),
        ("/abs/path/新闻.txt", False),
    ],
)
def test_is_url(source: str, expected: bool) -> None:
    assert reader.is_url(source) is expected


def test_read_bytes_file_url_and_missing(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes("産(chǎn)品".encode("utf-8"))
    assert reader.read_bytes(f"file://{p}") == p.read_bytes()
    assert reader.read_bytes(str(tmp_path / "nope.txt")) is None
    assert reader.read_bytes(str(p), max_bytes=3) is None
    data, reason = reader.read_checked(str(p), 3)
    assert data is None and "too large" in reason


def test_read_without_ingest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(reader, "_READER", None)  # as before the ingest package existed
    p = tmp_path / "a.txt"
    p.write_bytes(b"12")
    assert reader.read_checked(str(p), 10) == (b"12", None)
    assert "too large" in reader.read_checked(str(p), 1)[1]
    assert reader.read_checked(str(tmp_path / "nope.txt"), 10)[1].startswith("unreadable")


def test_warm_up_calls_process_once() -> None:
    calls = []
    engine.warm_up(lambda data, path, source, options: calls.append((path, len(data))), Options())
    assert calls and calls[0][0] == "<warm-up>" and calls[0][1] > 0


@pytest.mark.parametrize("module", [engine, cache_mod, local, reader])
def test_docstring_examples(module) -> None:
    failed, attempted = doctest.testmod(module)
    assert attempted > 0 and failed == 0


# ---- the real pipeline -----------------------------------------------------------------------

def test_real_pipeline_same_output_jobs_1_and_2(tmp_path: Path) -> None:
    pipeline = pytest.importorskip("jinlong_extract.pipeline")
    sources = [(p.name, str(p)) for p in CORPUS]
    one = list(run_documents(sources, Options(), jobs=1, process=pipeline.process_document))
    two = list(run_documents(sources, Options(), jobs=2, process=pipeline.process_document))
    assert [r.document.path for r in one] == [p.name for p in CORPUS]
    assert _summary(one) == _summary(two)
    assert one == two
    assert sum(len(r.facts) for r in one) > 0
    # and the cache gives back the same results
    db = str(tmp_path / "c.sqlite")
    list(run_documents(sources, Options(), jobs=2, process=pipeline.process_document, cache_path=db))
    stats = RunStats()
    again = list(run_documents(sources, Options(), jobs=2, process=pipeline.process_document, cache_path=db, stats=stats))
    assert stats.hits == len(sources) and again == one
