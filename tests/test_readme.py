"""The README cannot drift: its quick start, library and worked examples run here."""

from __future__ import annotations

import doctest
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jinlong_extract.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert m, title
    return m.group(1)


def test_quick_start_is_two_commands():
    blocks = re.findall(r"```sh\n(.*?)```", _section("Quick start"), re.S)
    commands = [line for b in blocks for line in b.splitlines() if line.strip()]
    assert commands == ["pip install . && jinlong extract corpus/", "pip install '.[test]' && python -m pytest -q"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install '.[test]' && python -m pytest -q" in ci.splitlines()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder holding `output/` as `jinlong extract corpus/` writes it."""
    wd = tmp_path_factory.mktemp("readme")
    result = CliRunner().invoke(app, ["extract", str(ROOT / "corpus"), "--out", str(wd / "output"), "--quiet", "--no-cache"])
    assert result.exit_code == 0, result.output
    return wd


def test_python_examples(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    parser = doctest.DocTestParser()
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README block {i}", "README.md", 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.summarize().failed == 0, f"README python block {i} failed"


def test_jq_series_example(workdir):
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (apt-get install jq)")
    cmd = re.search(r"^(jq .*)$", _section("Worked example on `corpus/`"), re.M).group(1)
    out = subprocess.run(cmd, shell=True, cwd=workdir, capture_output=True, text=True, check=True).stdout
    values = [float(line.split("\t")[1]) for line in out.splitlines()]
    assert values == [168.0, 244.0, 320.0]


def test_every_command_is_documented():
    for name in ("extract", "evaluate", "report", "show"):
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
        assert f"jinlong {name}" in README
