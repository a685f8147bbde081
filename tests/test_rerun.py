"""Incremental re-runs through the CLI: an unchanged corpus keeps the previous tables."""

from __future__ import annotations

import shutil
from pathlib import Path

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
