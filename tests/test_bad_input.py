"""Bad input through the CLI: one stderr line per bad file naming it and the reason; the run goes on.

Each case writes one bad file next to a good one and runs ``jinlong extract --quiet`` (quiet keeps
stderr to errors only): exit code 1, exactly one stderr line, naming the bad file; the good file's
figures are still written, and the documents table records the bad file as skipped with its reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from jinlong_extract.cli import EXIT_SKIPPED, EXIT_USAGE, app
from jinlong_extract.options import MAX_LINE_CHARS

runner = CliRunner()
GOOD = "2024年07月19日\n天津市与甘肃省武威市签约112个项目，投资149.53亿元。\n"


def _binary(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _undecodable(path: Path) -> None:
    # invalid as UTF-8, GB18030 and Big5 alike (0x80 is no lead byte, 0xFF no byte at all), no NUL
    path.write_bytes(b"\x80\xff" * 500)


def _huge_single_line(path: Path) -> None:
    # 50 MB (decimal) of one line: under the 50 MiB size limit, far over the line limit
    chunk = ("签约112个项目" * 1000).encode("utf-8")  # 18 000 bytes, no newline
    with open(path, "wb") as fh:
        for _ in range(50_000_000 // len(chunk) + 1):
            fh.write(chunk)
    assert path.stat().st_size > 50_000_000 and 50_000_000 // 3 > MAX_LINE_CHARS


def _unreadable(path: Path) -> None:
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: nothing to test
        path.chmod(0o644)
        pytest.skip("running as a user who can read chmod-000 files (root)")


CASES: list[tuple[str, Callable[[Path], None]]] = [
    ("binary.txt", _binary),
    ("empty.txt", _empty),
    ("undecodable.txt", _undecodable),
    ("huge.txt", _huge_single_line),
    ("unreadable.txt", _unreadable),
]


def _extract(*paths: Path | str, out: Path) -> object:
    return runner.invoke(app, ["extract", *map(str, paths), "--out", str(out), "--no-cache", "--quiet", "-f", "json"])


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_named_once_and_the_run_goes_on(tmp_path: Path, name: str, make: Callable[[Path], None]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    bad = folder / name
    make(bad)
    out = tmp_path / "out"
    try:
        result = _extract(folder, out=out)
    finally:
        bad.chmod(0o644)
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert name in line
    reason = line.split(name, 1)[1].lstrip(": ").strip()
    assert reason, f"no reason given: {line!r}"
    assert len(line) < 300  # one short line, not a traceback or a dump of the file
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert "112个" in {f["text"] for f in facts if f["doc"].endswith("good.txt")}
    docs = {os.path.basename(d["path"]): d for d in json.loads((out / "documents.json").read_text(encoding="utf-8"))}
    assert docs[name]["skipped"] is True and docs[name]["errors"]
    assert docs["good.txt"]["skipped"] is False


def test_missing_path_is_named_and_the_run_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    result = _extract(tmp_path / "no-such-file.txt", good, out=out)
    assert result.exit_code == EXIT_SKIPPED
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "no-such-file.txt" in lines[0]
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert "112个" in {f["text"] for f in facts}


def test_every_bad_file_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, make in CASES[:3]:
        make(folder / name)
    result = _extract(folder, tmp_path / "missing.txt", out=tmp_path / "out")
    assert result.exit_code == EXIT_SKIPPED
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    for name in ["binary.txt", "empty.txt", "undecodable.txt", "missing.txt"]:
        assert sum(name in line for line in lines) == 1, (name, lines)


def test_summary_lists_the_skipped_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    _empty(folder / "empty.txt")
    result = runner.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out"), "--no-cache"])
    assert result.exit_code == EXIT_SKIPPED
    lines = result.stderr.splitlines()
    assert any(line.startswith("documents: 1 read, 1 skipped") for line in lines)
    assert any(line.startswith("skipped: ") and "empty.txt" in line for line in lines)


def test_only_bad_files_is_nothing_readable(tmp_path: Path) -> None:
    _empty(tmp_path / "empty.txt")
    _binary(tmp_path / "binary.txt")
    out = tmp_path / "out"
    result = _extract(tmp_path / "empty.txt", tmp_path / "binary.txt", out=out)
    assert result.exit_code == EXIT_USAGE
    assert "nothing readable" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_empty_folder_is_nothing_readable(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = _extract(tmp_path / "in", out=tmp_path / "out")
    assert result.exit_code == EXIT_USAGE
    assert "in" in result.stderr


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    result = _extract(good, out=blocker)
    assert result.exit_code == EXIT_USAGE
    assert len(result.stderr.splitlines()) == 1 and "out" in result.stderr
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_permission_denied_is_named_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What chmod 000 gives a normal user, simulated so it is tested when running as root too."""
    import builtins

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    locked = folder / "locked.txt"
    locked.write_text(GOOD, encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--no-cache", "--quiet", "-f", "json",
                                 "--jobs", "1"])
    monkeypatch.undo()
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "locked.txt" in lines[0]
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert {f["doc"] for f in facts} == {"good.txt"}
