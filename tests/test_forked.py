"""The forked table writer (engine.forked.Task) and the writer hand-over it relies on."""

from __future__ import annotations

import json
import os

import pytest

from jinlong_extract import records
from jinlong_extract.engine.forked import Task, can_fork, first_done
from jinlong_extract.errors import InputError
from jinlong_extract.export import TableWriter

FORK = [pytest.param(True, id="forked"), pytest.param(False, id="in-process")]
#: set by test_in_a_fresh_interpreter: there every forking test must really fork
_REQUIRED = os.environ.get("JINLONG_TEST_FORK") == "1"


def _need_fork(fork: bool = True) -> None:
    """Earlier tests in this interpreter may leave threads (Dask), and Task then runs in-process
    by design; the forking tests are run for real by test_in_a_fresh_interpreter."""
    if fork and not can_fork():
        if _REQUIRED:
            pytest.fail("cannot fork in a fresh interpreter")
        pytest.skip("other threads alive: Task would not fork")


def test_in_a_fresh_interpreter() -> None:
    import subprocess
    import sys

    if _REQUIRED:
        pytest.skip("already in the fresh interpreter")
    env = {**os.environ, "JINLONG_TEST_FORK": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert "1 skipped" in summary and "failed" not in summary, summary  # only this test skips there


@pytest.mark.parametrize("fork", FORK)
@pytest.mark.parametrize("fn, expected", [
    (lambda: 42, 42),
    (lambda: {"rows": [1, 2, 3], "text": "149.53亿元"}, {"rows": [1, 2, 3], "text": "149.53亿元"}),
    (lambda: "x" * 1_000_000, "x" * 1_000_000),  # larger than a pipe's buffer
    (lambda: None, None),
])
def test_task_returns_the_value(fork: bool, fn, expected) -> None:
    _need_fork(fork)
    assert Task(fn, fork=fork).result() == expected


@pytest.mark.parametrize("fork", FORK)
@pytest.mark.parametrize("exc", [ValueError("bad value"), InputError("a.txt", "not UTF-8"), KeyError("k")])
def test_task_raises_the_error_in_the_parent(fork: bool, exc: BaseException) -> None:
    _need_fork(fork)
    def fail():
        raise exc

    with pytest.raises(type(exc)) as info:
        Task(fail, fork=fork).result()
    assert str(info.value) == str(exc)


def test_task_runs_in_another_process() -> None:
    _need_fork()
    task = Task(os.getpid)
    assert task.pid and task.result() != os.getpid()


def test_cancel_stops_the_child() -> None:
    _need_fork()
    import time

    task = Task(lambda: time.sleep(60))
    pid = task.pid
    task.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no such child any more


@pytest.mark.parametrize("fork", FORK)
def test_first_done_does_not_wait_for_the_slow_ones(fork: bool) -> None:
    _need_fork(fork)
    import time

    slow = Task(lambda: time.sleep(30 if fork else 0) or "slow", fork=fork)
    fast = Task(lambda: "fast", fork=fork)
    t0 = time.perf_counter()
    done = first_done([slow, fast])
    assert done.result() in ("fast", "slow")
    if fork:
        assert done is fast and time.perf_counter() - t0 < 10
        slow.cancel()
    else:  # run here: each is done already, the first is taken
        assert done is slow


def _fact(doc: str, start: int) -> records.Fact:
    return records.Fact(doc, 0, start, start + 4, "112个", "count", 112.0, 112.0, 112.0, "exact", "个", None,
                        "项目", "签约项目数", None, 2024, None, None, False, "签约项目112个")


@pytest.mark.parametrize("fork", FORK)
@pytest.mark.parametrize("formats", [("csv",), ("csv", "json"), ("json", "jsonl")])
def test_a_child_writer_publishes_through_the_parent(tmp_path, fork: bool, formats) -> None:
    _need_fork(fork)
    parent = TableWriter(tmp_path, formats, tables=["documents"])
    parent.write("documents", [records.Document(path="a.txt")])

    def child_side():
        w = TableWriter(tmp_path, formats, tables=["facts"])
        w.write("facts", [_fact("a.txt", 0), _fact("a.txt", 10)])
        return w.close()

    pending = Task(child_side, fork=fork).result()
    assert all(not final.exists() for _, final in pending)  # nothing published before commit
    parent.adopt(pending)
    written = [p.name for p in parent.commit()]
    assert written == [f"{t}.{f}" for t in ("facts", "documents") for f in sorted(formats, key=lambda f: f != "csv")]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    if "json" in formats:
        assert [r["start"] for r in json.loads((tmp_path / "facts.json").read_text(encoding="utf-8"))] == [0, 10]


@pytest.mark.parametrize("fork", FORK)
@pytest.mark.parametrize("mine, theirs", [(("csv",), ("json",)), (("csv", "jsonl"), ("json",)), (("xlsx",), ("csv",))])
def test_a_table_written_by_format_in_two_processes(tmp_path, fork: bool, mine, theirs) -> None:
    _need_fork(fork)
    if "xlsx" in mine:
        pytest.importorskip("openpyxl")
    facts = [_fact("a.txt", 0), _fact("a.txt", 10)]
    parent = TableWriter(tmp_path, mine + theirs, tables=["documents"])
    parent.write("documents", [records.Document(path="a.txt")])

    def child_side():
        w = TableWriter(tmp_path, theirs, tables=["facts"])
        w.write("facts", facts)
        return w.close()

    task = Task(child_side, fork=fork)
    assert parent.write("facts", facts[:1], formats=mine) == 1
    assert parent.write("facts", facts[1:]) == 1  # (in the formats it was opened in)
    with pytest.raises(ValueError, match="facts is written in"):
        parent.write("facts", facts, formats=mine + theirs)
    parent.adopt(task.result())
    names = sorted(p.name for p in parent.commit())
    text = [f for f in mine + theirs if f != "xlsx"]
    assert names == sorted([f"{t}.{f}" for t in ("facts", "documents") for f in text]
                           + (["jinlong.xlsx"] if "xlsx" in mine else []))
    alone = tmp_path / "alone"
    with TableWriter(alone, text, tables=["facts"]) as w:
        w.write("facts", facts)
    for f in text:
        assert (tmp_path / f"facts.{f}").read_bytes() == (alone / f"facts.{f}").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_abort_drops_adopted_files(tmp_path) -> None:
    parent = TableWriter(tmp_path, ("csv",), tables=["documents"])
    side = TableWriter(tmp_path, ("csv",), tables=["facts"])
    side.write("facts", [_fact("a.txt", 0)])
    parent.adopt(side.close())
    parent.abort()
    assert list(tmp_path.iterdir()) == []


def test_a_killed_child_leaves_no_temporary_file(tmp_path) -> None:
    _need_fork()
    import time

    parent = TableWriter(tmp_path, ("csv", "json"), tables=["documents"])

    def slow_child():
        w = TableWriter(tmp_path, ("csv", "json"), tables=["facts"])
        w.write("facts", [_fact("a.txt", 0)])
        time.sleep(60)

    task = Task(slow_child)
    pid = task.pid
    deadline = time.time() + 10
    while not list(tmp_path.glob(f".facts.*.{pid}.*.tmp")) and time.time() < deadline:
        time.sleep(0.01)
    task.cancel()
    parent.abort_process(pid)
    parent.abort()
    assert list(tmp_path.iterdir()) == []


def test_files_written_for_the_parent_outlive_their_child_and_go_with_the_parent(tmp_path) -> None:
    """A forked writer names its files after the process that will publish them: once it has
    ended, a new run's sweep (remove_abandoned) leaves them alone while that process runs, and the
    process removes them when it abandons the run."""
    _need_fork()
    import os

    from jinlong_extract.export import remove_abandoned

    parent = TableWriter(tmp_path, ("csv", "json"), tables=["documents"])
    owner = os.getpid()

    def child():
        w = TableWriter(tmp_path, ("csv", "json"), tables=["facts"], owner=owner)
        w.write("facts", [_fact("a.txt", 0)])
        return w.close()

    task = Task(child)
    pending = task.result()  # the child has ended
    assert [p.name for p in tmp_path.glob(f".facts.*.{owner}.*.tmp")] != []
    assert remove_abandoned(tmp_path) == []
    assert all(os.path.exists(tmp) for tmp, _ in pending)
    parent.abort_process(owner)
    parent.abort()
    assert list(tmp_path.iterdir()) == []
