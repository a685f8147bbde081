"""Incremental re-runs through the CLI: an unchanged corpus keeps the previous tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jinlong_extract.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _run(src, out):
    result = CliRunner().invoke(app, ["extract", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return result.output


def test_unchanged_rerun_keeps_tables_and_a_change_rebuilds_them(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", src)
    out = tmp_path / "out"
    first = _run(src, out)
    assert "unchanged since the last run" not in first
    stamp = (out / "reconciled.json").stat().st_mtime_ns
    second = _run(src, out)
    assert "unchanged since the last run" in second
    assert (out / "reconciled.json").stat().st_mtime_ns == stamp
    (src / "new.txt").write_text("今年签约项目3个，投资5亿元。", encoding="utf-8")
    third = _run(src, out)
    assert "unchanged since the last run" not in third
    assert "new.txt" in (out / "documents.json").read_text(encoding="utf-8")


def test_a_missing_table_is_rebuilt(tmp_path):
    out = tmp_path / "out"
    _run(ROOT / "corpus", out)
    (out / "series.csv").unlink()
    assert "unchanged since the last run" not in _run(ROOT / "corpus", out)
    assert (out / "series.csv").exists()


def _lines(output: str) -> list[str]:
    """The summary without its timing line and the list of files written."""
    return [line for line in output.splitlines() if not line.startswith(("documents:", "wrote:", "unchanged"))]


def test_an_unchanged_rerun_loads_no_stored_result(tmp_path, monkeypatch):
    from jinlong_extract.engine import cache as cache_mod

    out = tmp_path / "out"
    first = _run(ROOT / "corpus", out)

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged re-run must not look up stored results")

    monkeypatch.setattr(cache_mod.Cache, "lookup", refuse)
    monkeypatch.setattr(cache_mod.Cache, "get", refuse)
    second = _run(ROOT / "corpus", out)
    assert "unchanged since the last run" in second
    assert _lines(second) == _lines(first)  # the same counts: figures, entities, reconciled …
    assert "entities:" in second and "reconciled:" in second


def test_an_unchanged_rerun_reports_skipped_files_again(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", src)
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "out"
    runs = []
    for _ in range(2):
        result = CliRunner().invoke(app, ["extract", str(src), "--out", str(out), "--jobs", "1"])
        assert result.exit_code == 1, result.output  # EXIT_SKIPPED both times
        runs.append(result.output)
    assert "unchanged since the last run" in runs[1]
    for name in ("empty.txt", "binary.txt"):
        said = [line for line in runs[0].splitlines() if line.startswith(name)]
        assert said and said == [line for line in runs[1].splitlines() if line.startswith(name)]
    assert _lines(runs[1]) == _lines(runs[0])


def _touch(src: Path) -> None:
    (src / "000_5e0a7226a9ef9ce5.txt").write_bytes((src / "000_5e0a7226a9ef9ce5.txt").read_bytes() + b"\n")


def _add(src: Path) -> None:
    (src / "zzz.txt").write_text("今年签约项目3个。", encoding="utf-8")


def _delete(src: Path) -> None:
    (src / "004_e7fb16a6d7a4f899.txt").unlink()


def _rename(src: Path) -> None:
    (src / "004_e7fb16a6d7a4f899.txt").rename(src / "104.txt")


@pytest.mark.parametrize("change", [_touch, _add, _delete, _rename, None])
def test_unchanged_since_last_run_sees_every_change(tmp_path, change):
    from jinlong_extract.engine import run_documents, unchanged_since_last_run
    from jinlong_extract.options import Options
    from jinlong_extract.pipeline import iter_sources

    src = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", src)
    db = str(tmp_path / "cache.sqlite")
    assert unchanged_since_last_run(list(iter_sources([str(src)])), Options(), cache_path=db) is None  # no cache
    list(run_documents(list(iter_sources([str(src)])), Options(), jobs=1, cache_path=db))
    if change is not None:
        change(src)
    found = unchanged_since_last_run(list(iter_sources([str(src)])), Options(), cache_path=db)
    assert (found is None) == (change is not None)
    # other options: other results, so never unchanged
    assert unchanged_since_last_run(list(iter_sources([str(src)])), Options(entities=False), cache_path=db) is None
