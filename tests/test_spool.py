"""The run spool (``jinlong_extract.spool``): results on disk give the same tables as in memory.

The CLI spools every document's facts and mentions and merges entities as a stream
(``EntityMerger``); the library's ``pipeline.finish_run`` holds everything in memory. Both must
give the same facts (with the same subject ids), entities (with every mention, in order) and
reconciled rows, on real corpora and on documents made to share names and spans.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.entities.merge import EntityMerger, merge_entities
from jinlong_extract.export.tables import dumpb, layout
from jinlong_extract.options import Options
from jinlong_extract.pipeline import finish_run, iter_sources, process_document
from jinlong_extract.reconcile import reconcile
from jinlong_extract.reconcile.figures import Subjects
from jinlong_extract.records import Document, DocumentResult, Fact, Mention
from jinlong_extract.spool import PREFIX, RunSpool, remove_stale

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT / "corpus", ROOT / "tests" / "data" / "dev", ROOT / "tests" / "data" / "ingest"]


def _results(folder: Path) -> list[DocumentResult]:
    out = []
    for rel, src in iter_sources([str(folder)]):
        r = process_document(None, rel, src, Options())
        if not r.document.skipped:
            r.article_meta = []
            out.append(r)
    return out


def _spooled(results: list[DocumentResult], tmp_path: Path) -> RunSpool:
    spool = RunSpool(Options(), directory=str(tmp_path))
    for r in results:
        spool.add(r)
    spool.finish()
    return spool


@pytest.mark.parametrize("folder", CORPORA, ids=lambda p: p.name)
def test_spool_gives_the_tables_of_memory(folder: Path, tmp_path: Path) -> None:
    results = _results(folder)
    assert results
    spooled = _spooled(results, tmp_path)  # before finish_run rewrites the facts' subject ids
    run = finish_run(results, Options())
    facts = [f for r in run.results for f in r.facts]
    assert list(spooled.facts()) == facts
    assert [Fact(*t) for t in spooled.fact_rows()] == facts
    assert [e.to_dict() for e in spooled.entities()] == [e.to_dict() for e in run.entities]
    # the table rows, with each entity's mentions encoded once, as the writer would encode them
    expected = layout("entities").values(run.entities)
    got = list(spooled.entity_rows())
    assert [r[:4] + r[5:] for r in got] == [r[:4] + r[5:] for r in expected]
    assert [r[4].raw for r in got] == [dumpb(r[4]) for r in expected]
    rows, series = reconcile(list(spooled.results()), spooled.entity_names)
    assert [r.to_dict() for r in rows] == [r.to_dict() for r in run.reconciled]
    assert [p.to_dict() for p in series] == [p.to_dict() for p in run.series]
    spooled.close()
    assert not os.path.exists(spooled.dir)


@pytest.mark.parametrize("folder", CORPORA[:2], ids=lambda p: p.name)
def test_name_entities_resolve_subjects_as_full_entities(folder: Path) -> None:
    """Subjects index an entity's canonical name, aliases and every mention's text and canonical:
    one stand-in mention per name gives the same index."""
    mentions = [m for r in _results(folder) for m in r.mentions]
    merger = EntityMerger()
    for m in mentions:
        merger.add(m)
    entities, _, nodes_of = merger.finish()
    full = Subjects(merge_entities(mentions)).by_alias
    light = Subjects(merger.name_entities(entities, nodes_of)).by_alias
    assert full.keys() == light.keys()
    assert {k: e.id for k, e in full.items()} == {k: e.id for k, e in light.items()}


_NAMES = st.sampled_from(["天津", "天津市", "甘肃", "甘肃省", "武威", "王明", "李华", "安捷物联", "天津安捷物联科技股份有限公司"])


@st.composite
def _documents(draw: st.DrawFn) -> list[DocumentResult]:
    """Documents whose mentions share names, spans, organisations and titles, and facts whose
    subject is one of their mentions (or a span no mention has)."""
    out = []
    for d in range(draw(st.integers(1, 4))):
        mentions = []
        for i in range(draw(st.integers(0, 6))):
            text = draw(_NAMES)
            typ = "PER" if text in ("王明", "李华") else ("ORG" if "安捷" in text else "LOC")
            start = draw(st.integers(0, 3)) * 10  # repeated spans: two mentions on one span
            mentions.append(Mention(
                f"d{d}.txt", 0, start, start + len(text), text, typ,
                canonical=draw(st.sampled_from([None, text, text + "市"])) if typ == "LOC" else None,
                title=draw(st.sampled_from([None, "主任", "局长"])) if typ == "PER" else None,
                org=draw(st.sampled_from([None, "", "天津市商务局", "甘肃省商务厅"])) if typ == "PER" else None,
            ))
        facts = []
        for i in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, 4)) * 10
            subject = f"@{start}-{start + 2}" if draw(st.booleans()) else None
            facts.append(Fact(f"d{d}.txt", 0, 100 + i, 104 + i, "112个", "count", 112.0, 112.0, 112.0, "exact", "个",
                              None, "项目", "签约项目数", None, 2024, None, None, False, f"签约112个项目{i}",
                              "2024-07-19", [subject] if subject else [], None))
        out.append(DocumentResult(Document(f"d{d}.txt"), facts, mentions, fingerprint=[d]))
    return out


@settings(max_examples=60, deadline=None)
@given(_documents())
def test_spool_links_subjects_as_memory(docs: list[DocumentResult]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spool = _spooled(docs, Path(tmp))
        run = finish_run(docs, Options(), reconcile=False)
        assert list(spool.facts()) == [f for r in run.results for f in r.facts]
        assert [e.to_dict() for e in spool.entities()] == [e.to_dict() for e in run.entities]
        spool.close()


_RESULTS = _results(ROOT / "corpus")


def test_stale_spools_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{PREFIX}{int(dead.stdout)}-abc"
    live = tmp_path / f"{PREFIX}{os.getpid()}-abc"
    other = tmp_path / "unrelated"
    for d in (stale, live, other):
        d.mkdir()
        (d / "facts.pickle").write_bytes(b"x")
    remove_stale(str(tmp_path))
    assert not stale.exists()
    assert live.exists() and other.exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_leaves_no_spool_behind(tmp_path: Path, jobs: str) -> None:
    """The CLI spools into TMPDIR and removes the spool when it is done (also with a forked writer)."""
    spools = tmp_path / "tmp"
    spools.mkdir()
    env = {**os.environ, "TMPDIR": str(spools), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "jinlong_extract", "extract", str(ROOT / "corpus"), "--out", str(tmp_path / "out"),
         "--no-cache", "-q", "--jobs", jobs],
        capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "entities.csv").exists()
    assert not [p for p in spools.iterdir() if p.name.startswith(PREFIX)]


@pytest.mark.parametrize("bucket", [1, 7, 50, 10_000])
def test_bucket_size_changes_nothing(bucket: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mentions sorted by entity on disk, in buckets of any size (one entity per bucket, or all
    of them in one), come out as the in-memory merge has them."""
    import jinlong_extract.spool as spool_module

    monkeypatch.setattr(spool_module, "BUCKET", bucket)
    spooled = _spooled(_RESULTS, tmp_path)
    expected = merge_entities(m for r in _RESULTS for m in r.mentions)
    assert [e.to_dict() for e in spooled.entities()] == [e.to_dict() for e in expected]
    assert [e.to_dict() for e in spooled.entities()] == [e.to_dict() for e in expected]  # read twice
    spooled.close()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.builds(
    Mention, st.text(max_size=8), st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 10**6),
    st.text(max_size=12), st.sampled_from(["ORG", "LOC", "PER", "EVENT"]), st.one_of(st.none(), st.text(max_size=6)),
    st.one_of(st.none(), st.text(max_size=4)), st.one_of(st.none(), st.text(max_size=6)),
    st.one_of(st.none(), st.integers(1990, 2030)),
), max_size=12))
def test_each_mention_json_from_one_call(mentions: list[Mention]) -> None:
    """Splitting one encoded list gives each mention's own encoding, whatever its text holds
    (quotes, braces, '},{"doc":' itself)."""
    from orjson import dumps

    from jinlong_extract.spool import _each_json

    assert _each_json(mentions) == [dumps(m) for m in mentions]
    assert _each_json([Mention('},{"doc":', 0, 0, 1, '},{"doc":"x"', "ORG")]) == [
        dumps(Mention('},{"doc":', 0, 0, 1, '},{"doc":"x"', "ORG"))]
