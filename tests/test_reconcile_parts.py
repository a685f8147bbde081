"""Reconciling in parts (``jinlong_extract.reconcile.parts``) gives the rows of reconciling at once.

The CLI reconciles results read back from its spool in parts of bounded size, each written to disk
and merged back in output order; the library reconciles in memory. Whatever the part size (one
fact a part, a few, all), the rows, their table cells, the series and the counts must be the same,
on a corpus with republished copies, running totals and conflicts.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.engine import forked as forked_mod
from jinlong_extract.export.tables import layout
from jinlong_extract.options import Options
from jinlong_extract.pipeline import finish_run, iter_sources, process_document
from jinlong_extract.reconcile import parts, reconcile, reconcile_parts
from jinlong_extract.reconcile.documents import copy_clusters
from jinlong_extract.reconcile.figures import cluster_figures
from jinlong_extract.reconcile.series import build_series
from jinlong_extract.spool import RunSpool

ROOT = Path(__file__).resolve().parents[1]


def _run():
    """The seeds and the dev corpus, with republished copies of three seeds (page furniture added,
    one of them in traditional characters) placed far from their originals, and two conflicting
    reports."""
    results = []
    for folder in (ROOT / "corpus", ROOT / "tests" / "data" / "dev"):
        for rel, src in iter_sources([str(folder)]):
            r = process_document(None, rel, src, Options())
            if not r.document.skipped:
                results.append(r)
    for i, path in enumerate(sorted((ROOT / "corpus").glob("*"))[:3]):
        text = path.read_bytes().decode("utf-8", errors="replace")
        if i == 1:
            import opencc

            text = opencc.OpenCC("s2t").convert(text)
        copy = f"首页 | 新闻中心 | 东西部协作\n{text}\n版权所有 转载请注明出处\n".encode()
        results.append(process_document(copy, f"zz-copies/{path.name}"))
    # two reports of one year's totals that disagree: conflicts
    results.append(process_document(
        "新华社兰州7月20日电 2023年，天津市累计向甘肃省投入财政援助资金64.5亿元，实施协作项目3800余个。".encode(),
        "wire/2024-07-20.txt"))
    results.append(process_document(
        "本报天津7月22日讯 截至2023年底，天津市累计向甘肃省投入财政援助资金58.2亿元，实施协作项目3100个。".encode(),
        "paper/2024-07-22.txt"))
    for r in results:
        r.article_meta = []
    return results, finish_run([*results], Options())


_RESULTS, _RUN = _run()
_N_FACTS = sum(len(r.facts) for r in _RUN.results)


def test_the_corpus_exercises_copies_totals_and_conflicts() -> None:
    rows = _RUN.reconciled
    assert any("republished" in (r.rule or "") for r in rows)
    assert any(r.conflict for r in rows)
    assert any(r.cumulative for r in rows) and _RUN.series


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("forked", [True, False], ids=["forked", "here"])
@pytest.mark.parametrize("part_facts", [1, 7, 60, 10_000])
def test_parts_give_the_rows_of_memory(part_facts: int, forked: bool, jobs: int, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts on disk are reconciled in forked children where the platform allows (``jobs`` at
    once), else here."""
    monkeypatch.setattr(parts, "PART_FACTS", part_facts)
    monkeypatch.setattr(parts, "MAX_PARTS", 40)
    if part_facts == 60:  # rows beyond the first three sources of a part wait in its scratch file
        monkeypatch.setattr(parts, "HELD_SOURCES", 3)
    spilled: list[int] = []
    if part_facts == 7:  # the rows of blocks of two units or more wait in the scratch file
        monkeypatch.setattr(parts, "HELD_BLOCK", 1)
        real_add = parts._Scratch.add
        monkeypatch.setattr(parts._Scratch, "add", lambda self, item: spilled.append(1) or real_add(self, item))
    if forked and not forked_mod.can_fork():
        pytest.skip("other threads alive: Task would not fork")
    if not forked:
        monkeypatch.setattr(forked_mod, "can_fork", lambda: False)
    forks: list[int] = []
    real_fork = forked_mod.os.fork
    monkeypatch.setattr(forked_mod.os, "fork", lambda: forks.append(1) or real_fork())
    done = reconcile_parts(lambda: _RUN.results, _RUN.entities, facts=_N_FACTS, directory=str(tmp_path), jobs=jobs)
    on_disk = part_facts < _N_FACTS
    # copy detection, dealing, each part and the series: each in a child
    assert len(forks) == (parts.part_count(_N_FACTS, str(tmp_path)) + 3 if forked and on_disk else 0)
    if part_facts == 7 and not forked:  # (a forked child's count stays in the child)
        assert spilled
    elif part_facts == 1:  # (every block is one unit: nothing spills)
        assert not spilled
    expected = [r.to_dict() for r in _RUN.reconciled]
    assert [r.to_dict() for r in done.rows()] == expected
    assert [r.to_dict() for r in done.rows()] == expected  # (read again)
    assert [p.to_dict() for p in done.series] == [p.to_dict() for p in _RUN.series]
    assert done.n_rows == len(expected)
    assert done.n_conflicts == sum(r["conflict"] for r in expected)
    assert done.n_series == len({p.series for p in _RUN.series})
    # the tables as written: CSV cells of the rows read back from disk = those of the records
    lay = layout("reconciled")
    assert lay.text_rows(lay.values(done.table_rows())) == lay.text_rows(lay.values(_RUN.reconciled))
    lay = layout("series")
    assert lay.text_rows(lay.values(done.table_points())) == lay.text_rows(lay.values(_RUN.series))
    files = list(tmp_path.iterdir())
    assert (len(files) > 2) == on_disk  # in files when there is more than one part


def test_forked_parts_in_a_fresh_process() -> None:
    """The forked variants above, in an interpreter with no other thread (here, earlier tests may
    have left some: then Task runs everything in this process and they are skipped)."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "-rs",
         f"{__file__}::test_parts_give_the_rows_of_memory", "-k", "forked"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "8 passed" in run.stdout and "skipped" not in run.stdout, run.stdout[-3000:]


def test_parts_over_the_spool_give_the_rows_of_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the CLI calls it: results and documents read back from the spool, entities as names."""
    monkeypatch.setattr(parts, "PART_FACTS", 25)
    spool = RunSpool(Options(), directory=str(tmp_path))
    for r in _RESULTS:
        spool.add(r)
    spool.finish()
    try:
        done = reconcile_parts(spool.results, spool.entity_names, documents=spool.documents(),
                               facts=spool.n_facts, directory=spool.dir)
        assert spool.n_facts == _N_FACTS
        assert [r.to_dict() for r in done.rows()] == [r.to_dict() for r in _RUN.reconciled]
        assert [p.to_dict() for p in done.series] == [p.to_dict() for p in _RUN.series]
    finally:
        spool.close()


def test_copy_detection_needs_only_the_documents() -> None:
    """``RunSpool.documents()`` leaves out the facts; copy detection finds the same copies."""
    stripped = [type(r)(r.document, fingerprint=r.fingerprint) for r in _RUN.results]
    assert copy_clusters(stripped) == copy_clusters(_RUN.results)


@pytest.mark.parametrize("unprinted", [False, True])
def test_spooled_documents_find_the_copies_of_memory(unprinted: bool, tmp_path: Path) -> None:
    """A document with facts but no fingerprint needs its facts (their sentences stand in): the
    spool then reads them back too."""
    results = [type(r)(r.document, r.facts, fingerprint=r.fingerprint) for r in _RUN.results]
    if unprinted:
        results[0].fingerprint = []
        assert results[0].facts
    spool = RunSpool(Options(), directory=str(tmp_path))
    for r in results:
        spool.add(r)
    spool.finish()
    try:
        docs = list(spool.documents())
        assert [bool(d.facts) for d in docs] == [unprinted and bool(r.facts) for r in results]
        assert copy_clusters(docs) == copy_clusters(results)
    finally:
        spool.close()


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_series_do_not_depend_on_the_order_of_rows(rnd: random.Random) -> None:
    """Parts hand their rows to the series one part after another, not in output order."""
    reps, why = copy_clusters(_RUN.results)
    rows = cluster_figures(_RUN.results, reps, why, _RUN.entities)
    expected = [p.to_dict() for p in build_series(rows)]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert [p.to_dict() for p in build_series(shuffled)] == expected


def test_reconcile_is_one_part_in_memory() -> None:
    rows, series = reconcile(_RUN.results, _RUN.entities)
    assert [r.to_dict() for r in rows] == [r.to_dict() for r in _RUN.reconciled]
    assert parts.part_count(10**9, None) == 1
    assert parts.part_count(1, "/tmp") == 1
    assert parts.part_count(10**9, "/tmp") == parts.MAX_PARTS
