"""The reconciler behind the real pipeline: republished copies of the seeds reconcile back to the
seeds' own rows, each row gaining the copies' mentions as extra sources.

The copies are made here, in ``tmp_path``: one seed re-encoded in GB18030, one converted to
traditional characters (OpenCC s2t), one wrapped in page furniture (a navigation header and a
copyright footer).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jinlong_extract.pipeline import extract_paths

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))

NAV = "首页 | 要闻 | 天津 | 政情 | 法治 | 财经 | 民声\n当前位置：首页 > 东西部协作 > 正文\n\n"
FOOTER = "\n\n【打印本页】【关闭窗口】\n版权所有 © 天津日报社  津ICP备05004458号  联系我们\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    import opencc

    base = tmp_path_factory.mktemp("seeds")
    for p in SEEDS:
        shutil.copy(p, base / p.name)
    both = tmp_path_factory.mktemp("copies")
    for p in SEEDS:
        shutil.copy(p, both / p.name)
    text = {p.name[:3]: p.read_bytes().decode("utf-8") for p in SEEDS}
    (both / "copy_gb18030.txt").write_bytes(text["000"].encode("gb18030"))
    (both / "copy_traditional.txt").write_text(opencc.OpenCC("s2t").convert(text["004"]), encoding="utf-8")
    (both / "copy_furniture.txt").write_text(NAV + text["003"] + FOOTER, encoding="utf-8")
    copies = {"copy_gb18030.txt": SEEDS[0].name, "copy_traditional.txt": SEEDS[4].name,
              "copy_furniture.txt": SEEDS[3].name}
    return extract_paths([str(base)]), extract_paths([str(both)]), copies


def test_copies_cluster_with_their_originals(runs):
    from jinlong_extract.reconcile import document_clusters

    _, run, copies = runs
    clusters = document_clusters(run.results)
    for copy, orig in copies.items():
        assert clusters[copy] == clusters[orig], copy
    originals = {clusters[p.name] for p in SEEDS}
    assert len(originals) == len(SEEDS)  # the seeds themselves are five different articles


def test_copies_reconcile_back_to_the_original_rows(runs):
    base, run, copies = runs
    copied = set(copies.values())
    seed_docs = {p.name for p in SEEDS}
    expected = {frozenset(s.fact_id for s in r.sources) for r in base.reconciled}
    got = {frozenset(s.fact_id for s in r.sources if s.doc in seed_docs) for r in run.reconciled}
    assert got - {frozenset()} == expected
    by_fact = {s.fact_id: r for r in run.reconciled for s in r.sources}
    for row in base.reconciled:
        new = by_fact[row.sources[0].fact_id]
        extra = [s for s in new.sources if s.doc in copies]
        from_copied = [s for s in row.sources if s.doc in copied]
        # every mention in a copied seed has its twin in the copy, in the same row
        assert sorted(s.value for s in extra) == sorted(s.value for s in from_copied), row.rule
        assert new.n_sources == row.n_sources + len(extra)
        if extra:
            assert "republished copy" in new.rule


def test_copy_sources_are_grounded_in_the_copy_files(runs):
    _, run, copies = runs
    root = Path(run.results[0].document.source).parent if run.results[0].document.source else None
    decoded = {}
    for r in run.reconciled:
        for s in r.sources:
            if s.doc in copies and root is not None:
                if s.doc not in decoded:
                    raw = (root / s.doc).read_bytes()
                    decoded[s.doc] = raw.decode("gb18030" if "gb18030" in s.doc else "utf-8")
                assert decoded[s.doc][s.start:s.end] == s.text


@pytest.mark.parametrize(
    ("text", "docs"),
    [("64.5亿元", {"000", "004", "copy_gb18030", "copy_traditional"}),
     ("3800余个", {"000", "004", "copy_gb18030", "copy_traditional"})],
)
def test_seed_rows_gain_copy_sources(runs, text, docs):
    _, run, _ = runs
    [row] = [r for r in run.reconciled if any(s.text == text and s.doc.startswith("000") for s in r.sources)]
    assert {s.doc[:-4] if s.doc.startswith("copy") else s.doc[:3] for s in row.sources} == docs


# ---- the seeds through the real pipeline (issue 3 §2–3 acceptance) ----------------------------

def _row_with(run, text, doc_prefix):
    rows = [r for r in run.reconciled if any(s.text == text and s.doc.startswith(doc_prefix) for s in r.sources)]
    assert len(rows) == 1, (text, doc_prefix)
    return rows[0]


def test_pipeline_seeds_fiscal_aid_one_row(runs):
    base, _, _ = runs
    row = _row_with(base, "64.5亿元", "000")
    assert row.n_sources == 2 and sorted(s.doc[:3] for s in row.sources) == ["000", "004"]
    assert row.metric == "财政援助资金"


def test_pipeline_seeds_projects_compatible(runs):
    base, _, _ = runs
    row = _row_with(base, "3800余个", "000")
    assert sorted(s.text for s in row.sources) == ["3800余个", "3825个"]
    assert "3800余个 (3800–3899)" in row.rule


@pytest.mark.parametrize(
    ("texts", "values"),
    [(["168個", "244個", "320个"], [168.0, 244.0, 320.0]),
     (["441.1億元", "553億元", "670.35亿元"], [441.1e8, 553e8, 670.35e8])],
)
def test_pipeline_seeds_jinlong_series(runs, texts, values):
    base, _, _ = runs
    ids = {_row_with(base, t, "00").id for t in texts}
    [series] = {p.series for p in base.series if p.reconciled_id in ids}
    points = [p for p in base.series if p.series == series]
    assert [p.value for p in points] == pytest.approx(values)
    assert all(p.flag is None for p in points)
