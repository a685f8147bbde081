"""Reconciler: compare cases, clustering invariants, conflicts, series, copies, and the seeds.

The seed facts are the gold rows of ``tests/data/seeds.jsonl`` grounded in ``corpus/`` (offsets
found in the decoded files), so these tests exercise the reconciler independently of the extractor;
``test_reconcile_corpus.py`` runs it behind the real pipeline.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinlong_extract.records import Document, DocumentResult, Entity, Fact
from jinlong_extract.reconcile import compare, document_clusters, interval, reconcile, text_fingerprint
from jinlong_extract.reconcile._t2s import to_simplified
from jinlong_extract.reconcile.rules import rules

ROOT = Path(__file__).resolve().parent.parent
#: publication dates of the seed articles, read off their headers / bylines
SEED_DATES = {
    "000_5e0a7226a9ef9ce5.txt": "2024-07-19",
    "001_e74dd4a94660c86d.txt": "2024-01-05",
    "002_1c8763f15fd8f122.txt": "2023-04-19",
    "003_8bb4246f31f25f4e.txt": "2023-03-06",
    "004_e7fb16a6d7a4f899.txt": "2024-12-22",
}


def fact(text: str, value: float | None, q: str = "exact", *, kind: str = "count", unit: str | None = "个",
         doc: str = "a.txt", start: int = 0, article: int = 0, metric: str | None = "签约项目数",
         subject: str | None = "天津市", year: int | None = 2024, cumulative: bool = False,
         low: float | None = None, high: float | None = None, date: str | None = "2024-07-19",
         subject_ids: list[str] | None = None, period: tuple[int, int] | None = None,
         sentence: str = "") -> Fact:
    if low is None and q not in ("max",):
        low = value
    if high is None and q not in ("min",):
        high = value if q != "range" else high
    return Fact(doc, article, start, start + len(text), text, kind, value, low, high, q, unit,
                "CNY" if kind == "money" else None, None, metric, subject, year,
                period[0] if period else None, period[1] if period else None, cumulative, sentence,
                date, list(subject_ids or []))


def results_of(facts: list[Fact]) -> list[DocumentResult]:
    by_doc: dict[str, list[Fact]] = {}
    for f in facts:
        by_doc.setdefault(f.doc, []).append(f)
    return [DocumentResult(Document(d), fs) for d, fs in by_doc.items()]


def row_of(rows, fact_id):
    found = [r for r in rows if any(s.fact_id == fact_id for s in r.sources)]
    assert len(found) == 1, fact_id
    return found[0]


# ------------------------------------------------------------------------------------------------
# compare: pairs with the expected verdict and the rule that explains it
# ------------------------------------------------------------------------------------------------

Y = 1e8  # 亿
W = 1e4  # 万

COMPARE_CASES = [
    # (a: text, value, qualifier, unit), (b: ...), kind, compatible, rule fragment
    (("3800余个", 3800, "approx", "个"), ("3825个", 3825, "exact", "个"), "count", True, "3800余个 (3800–3899)"),
    (("3800余个", 3800, "approx", "个"), ("3950个", 3950, "exact", "个"), "count", False, "incompatible"),
    (("149.53亿元", 149.53 * Y, "exact", "元"), ("近150亿元", 150 * Y, "approx", "元"), "money", True, "近150亿元"),
    (("151亿元", 151 * Y, "exact", "元"), ("近150亿元", 150 * Y, "approx", "元"), "money", False, "incompatible"),
    (("超20亿元", 20 * Y, "min", "元"), ("21亿元", 21 * Y, "exact", "元"), "money", True, "at least 20亿"),
    (("超20亿元", 20 * Y, "min", "元"), ("19亿元", 19 * Y, "exact", "元"), "money", False, "incompatible"),
    (("超20亿元", 20 * Y, "min", "元"), ("35亿元", 35 * Y, "exact", "元"), "money", False, "incompatible"),
    (("不到5万元", 5 * W, "max", "元"), ("4.8万元", 4.8 * W, "exact", "元"), "money", True, "at most 5万"),
    (("不到5万元", 5 * W, "max", "元"), ("5.2万元", 5.2 * W, "exact", "元"), "money", False, "incompatible"),
    (("64.5亿元", 64.5 * Y, "exact", "元"), ("64.5亿元", 64.5 * Y, "exact", "元"), "money", True, "exact equal value"),
    (("64.5亿元", 64.5 * Y, "exact", "元"), ("645000万元", 64.5 * Y, "exact", "元"), "money", True, "exact equal value"),
    (("150亿元", 150 * Y, "exact", "元"), ("149.53亿元", 149.53 * Y, "exact", "元"), "money", True, "rounding of 150亿元"),
    (("149.5亿元", 149.5 * Y, "exact", "元"), ("149.53亿元", 149.53 * Y, "exact", "元"), "money", True, "rounding of 149.5亿元"),
    (("149.6亿元", 149.6 * Y, "exact", "元"), ("149.53亿元", 149.53 * Y, "exact", "元"), "money", False, "incompatible"),
    (("320个", 320, "exact", "个"), ("324个", 324, "exact", "个"), "count", False, "incompatible"),
    (("320个", 320, "exact", "个"), ("320项", 320, "exact", "项"), "count", True, "exact equal value"),
    (("3至5个", 3, "range", "个"), ("4个", 4, "exact", "个"), "count", True, "range 3至5个"),
    (("3至5个", 3, "range", "个"), ("7个", 7, "exact", "个"), "count", False, "incompatible"),
    (("约50亿元", 50 * Y, "approx", "元"), ("52亿元", 52 * Y, "exact", "元"), "money", True, "±5%"),
    (("约50亿元", 50 * Y, "approx", "元"), ("56亿元", 56 * Y, "exact", "元"), "money", False, "incompatible"),
    (("50亿元左右", 50 * Y, "approx", "元"), ("48亿元", 48 * Y, "exact", "元"), "money", True, "±5%"),
    (("6.7万余名", 6.7 * W, "approx", "名"), ("6.75万人", 6.75 * W, "exact", "人"), "count", True, "6.7万余名"),
    (("6.7万余名", 6.7 * W, "approx", "名"), ("6.85万人", 6.85 * W, "exact", "人"), "count", False, "incompatible"),
    (("1400余萬元", 1400 * W, "approx", "元"), ("1450万元", 1450 * W, "exact", "元"), "money", True, "1400余萬元"),
    (("2400多种", 2400, "approx", "种"), ("2450种", 2450, "exact", "种"), "count", True, "2400多种"),
    (("30余家", 30, "approx", "家"), ("41家", 41, "exact", "家"), "count", False, "incompatible"),
    (("37.4万人次", 37.4 * W, "exact", "人次"), ("37.4万人", 37.4 * W, "exact", "人"), "count", False, "different units"),
    (("21%", 21, "exact", "%"), ("21个百分点", 21, "exact", "个百分点"), "percent", False, "different units"),
    (("20.5%", 20.5, "exact", "%"), ("21%", 21, "exact", "%"), "percent", True, "rounding of 21%"),
    (("十四个", 14, "exact", "个"), ("14个", 14, "exact", "个"), "count", True, "exact equal value"),
    (("三百万元", 3e6, "exact", "元"), ("310万元", 3.1e6, "exact", "元"), "money", True, "rounding of 三百万元"),
    (("1,400万元", 1400 * W, "exact", "元"), ("1400万元", 1400 * W, "exact", "元"), "money", True, "exact equal value"),
    (("１４００万元", 1400 * W, "exact", "元"), ("1401万元", 1401 * W, "exact", "元"), "money", False, "incompatible"),
    (("逾5000萬元", 5000 * W, "min", "元"), ("1亿元", 1 * Y, "exact", "元"), "money", False, "incompatible"),
    (("3亿元", 3 * Y, "exact", "元"), ("3.1亿元", 3.1 * Y, "exact", "元"), "money", True, "rounding of 3亿元"),
    (("1亿元", 1 * Y, "exact", "元"), ("1.2亿元", 1.2 * Y, "exact", "元"), "money", False, "incompatible"),
    (("10亿美元", 10 * Y, "exact", "美元"), ("10亿元", 10 * Y, "exact", "元"), "money", False, "different units"),
]


@pytest.mark.parametrize(("a", "b", "kind", "expected", "rule"), COMPARE_CASES)
def test_compare(a, b, kind, expected, rule):
    fa = fact(a[0], float(a[1]), a[2], unit=a[3], kind=kind, low=None if a[2] != "range" else 3.0,
              high=5.0 if a[2] == "range" else None)
    fb = fact(b[0], float(b[1]), b[2], unit=b[3], kind=kind)
    ok, why = compare(fa, fb)
    assert ok is expected, why
    assert rule in why
    assert compare(fb, fa)[0] is expected  # symmetric


def test_compare_kinds_never_meet():
    assert compare(fact("20个", 20.0), fact("20元", 20.0, kind="money", unit="元")) == (
        False, "different kinds (count vs money)")


INTERVAL_CASES = [
    # text, value, qualifier, low, high -> interval
    ("3800余个", 3800, "approx", 3800, 3800, (3800, 3900)),
    ("3825个", 3825, "exact", 3825, 3825, (3824.5, 3825.5)),
    ("64.5亿元", 64.5 * Y, "exact", 64.5 * Y, 64.5 * Y, (64.45 * Y, 64.55 * Y)),
    ("近150亿元", 150 * Y, "approx", 150 * Y, 150 * Y, (142.5 * Y, 150 * Y)),
    ("超20亿元", 20 * Y, "min", 20 * Y, None, (20 * Y, 30 * Y)),
    ("不到5万元", 5 * W, "max", None, 5 * W, (5 * W * 0.6667, 5 * W)),
    ("3至5个", 3, "range", 3, 5, (2.85, 5.25)),  # each end rounded, capped at 5%
    ("1亿元", 1 * Y, "exact", 1 * Y, 1 * Y, (0.95 * Y, 1.05 * Y)),  # one digit: capped at 5%
    ("30余家", 30, "approx", 30, 30, (30, 40)),
    ("6.7万余名", 6.7 * W, "approx", 6.7 * W, 6.7 * W, (6.7 * W, 6.8 * W)),
    ("630余家", 630, "approx", 630, 630, (630, 640)),
    ("十四个", 14, "exact", 14, 14, (13.5, 14.5)),
]


@pytest.mark.parametrize(("text", "value", "q", "low", "high", "expected"), INTERVAL_CASES)
def test_interval(text, value, q, low, high, expected):
    f = Fact("d", 0, 0, len(text), text, "count", float(value), low, high, q, "个", None, None, None,
             None, None, None, None, False, "")
    iv = interval(f)
    assert iv.lo == pytest.approx(expected[0], rel=1e-9)
    assert iv.hi == pytest.approx(expected[1], rel=1e-9)


def test_interval_none_without_value():
    assert interval(fact("人民币", None, kind="money", unit="元")) is None


@given(st.floats(min_value=0.01, max_value=1e13, allow_nan=False), st.sampled_from(["exact", "approx", "min", "max"]))
def test_interval_contains_value_and_compare_reflexive(value, q):
    text = f"{value:.4f}个"
    f = fact(text, value, q)
    iv = interval(f)
    eps = 1e-9 * max(abs(value), 1.0)
    assert iv.lo - eps <= value <= iv.hi + eps
    assert compare(f, f)[0]


# ------------------------------------------------------------------------------------------------
# clustering
# ------------------------------------------------------------------------------------------------

def test_republished_figure_one_row_two_sources():
    a = fact("64.5亿元", 64.5 * Y, kind="money", unit="元", metric="财政援助资金", doc="a.txt", start=5,
             year=None, cumulative=True)
    b = fact("64.5亿元", 64.5 * Y, kind="money", unit="元", metric="投入财政援助资金", doc="b.txt", start=9,
             year=None, cumulative=True, date="2024-12-22")
    rows, _ = reconcile(results_of([a, b]))
    assert len(rows) == 1
    assert rows[0].n_sources == 2 and rows[0].rule == "exact equal value"
    assert rows[0].metric == "财政援助资金"


def test_repeat_inside_one_article_is_one_row():
    head = fact("112个", 112.0, start=3)
    body = fact("112个", 112.0, start=300)
    rows, _ = reconcile(results_of([head, body]))
    assert len(rows) == 1 and rows[0].n_sources == 2
    assert rows[0].rule.startswith("repeated in the same article")


@pytest.mark.parametrize(
    ("a_kw", "b_kw", "merged"),
    [
        ({}, {}, True),
        ({"metric": "签约项目数"}, {"metric": "引进项目数"}, False),  # other metric: other block
        ({"metric": "投资额"}, {"metric": "签约投资额"}, True),  # synonyms meet
        ({"cumulative": True}, {"cumulative": False}, False),  # a running total is not a year's figure
        ({"year": 2023}, {"year": 2024}, False),
        ({"year": None}, {"year": 2024}, True),  # null year attaches to the one dated row
        ({"subject": "天津市"}, {"subject": "甘肃省"}, False),
        ({"subject": "津隴共振興"}, {"subject": "津陇共振兴"}, True),  # compared simplified
        ({"subject": None}, {"subject": "甘肃省"}, True),
        ({"subject_ids": ["LOC:1"]}, {"subject_ids": ["LOC:2"]}, False),
        ({"subject_ids": ["LOC:1"], "subject": "天津"}, {"subject_ids": ["LOC:1"], "subject": "我市"}, True),
        ({"period": (2019, 2021), "year": None}, {"year": 2021}, False),  # three years vs one year
        ({"period": (2019, 2021), "year": None}, {"period": (2019, 2021), "year": None}, True),
        ({"unit": "人", "kind": "count"}, {"unit": "人次", "kind": "count"}, False),
    ],
)
def test_blocking_and_slot(a_kw, b_kw, merged):
    a = fact("112个", 112.0, doc="a.txt", **a_kw)
    b = fact("112个", 112.0, doc="b.txt", **b_kw)
    rows, _ = reconcile(results_of([a, b]))
    assert (len(rows) == 1) is merged


@pytest.mark.parametrize(
    ("a_kw", "b_kw", "merged"),
    [
        # 投资20亿元的…项目 is said of many projects: an article without subject does not borrow one
        ({"doc": "a.txt", "subject": "天津市"}, {"doc": "b.txt", "subject": None}, False),
        ({"doc": "a.txt", "year": 2016}, {"doc": "b.txt", "year": None}, False),
        # within one article (headline + body) it does
        ({"doc": "a.txt", "subject": "天津市", "sentence": "总投资20亿元的产业园项目开工。"},
         {"doc": "a.txt", "start": 80, "subject": None, "sentence": "产业园总投资20亿元。"}, True),
        # one sentence listing two projects of 20亿元 each: two figures
        ({"doc": "a.txt", "sentence": "投资20亿元的旅游项目、投资20亿元的物流项目"},
         {"doc": "a.txt", "start": 12, "sentence": "投资20亿元的旅游项目、投资20亿元的物流项目"}, False),
        ({"doc": "a.txt", "sentence": "投资20亿元的旅游项目。"},
         {"doc": "a.txt", "start": 40, "sentence": "旅游项目投资20亿元。"}, True),
    ],
)
def test_attachment_needs_evidence(a_kw, b_kw, merged):
    kw = {"kind": "money", "unit": "元", "metric": "投资额", "year": 2016}
    a = fact("20亿元", 20 * Y, **{**kw, **a_kw})
    b = fact("20亿元", 20 * Y, **{**kw, **b_kw})
    rows, _ = reconcile(results_of([a, b]))
    assert (len(rows) == 1) is merged


def test_null_year_ambiguous_stays_apart():
    dated = [fact("64.5亿元", 64.5 * Y, kind="money", unit="元", doc=f"{y}.txt", year=y) for y in (2023, 2024)]
    undated = fact("64.5亿元", 64.5 * Y, kind="money", unit="元", doc="x.txt", year=None)
    undated2 = fact("64.5亿元", 64.5 * Y, kind="money", unit="元", doc="y.txt", year=None)
    rows, _ = reconcile(results_of([*dated, undated, undated2]))
    assert len(rows) == 3
    loose = row_of(rows, undated.id)
    assert loose.year is None and loose.n_sources == 2  # the two undated mentions still meet
    assert "ambiguous" in loose.note


def test_entities_resolve_subject_strings():
    ent = Entity("LOC:tj", "LOC", "天津市", aliases=["天津", "津"])
    a = fact("112个", 112.0, doc="a.txt", subject="天津")
    b = fact("112个", 112.0, doc="b.txt", subject="天津市")
    c = fact("113个", 113.0, doc="c.txt", subject="天津")
    rows, _ = reconcile(results_of([a, b, c]), [ent])
    assert len(rows) == 2
    r = row_of(rows, a.id)
    assert r.subject_id == "LOC:tj" and r.subject == "天津市" and r.n_sources == 2


@pytest.mark.parametrize(
    ("a_kw", "b_kw", "merged"),
    [
        # 我市累计向甘肃投入财政援助资金64.5亿元 (subject: 甘肃) vs 天津累计投入财政援助资金64.5亿元
        ({"text": "64.5亿元", "value": 64.5 * Y}, {"text": "64.5亿元", "value": 64.5 * Y}, True),
        ({"text": "3800余个", "value": 3800.0, "q": "approx"}, {"text": "3825个", "value": 3825.0}, True),
        ({"text": "64亿元", "value": 64 * Y}, {"text": "64亿元", "value": 64 * Y}, False),  # 2 digits: not distinctive
        ({"text": "64.5亿元", "value": 64.5 * Y, "cumulative": False},
         {"text": "64.5亿元", "value": 64.5 * Y, "cumulative": False}, False),  # one-off figures: subjects rule
        ({"text": "64.5亿元", "value": 64.5 * Y, "doc": "b.txt", "start": 99},
         {"text": "64.5亿元", "value": 64.5 * Y}, False),  # one article naming two subjects
        ({"text": "64.5亿元", "value": 64.5 * Y, "metric": None},
         {"text": "64.5亿元", "value": 64.5 * Y, "metric": None}, False),  # no metric: not distinctive enough
    ],
)
def test_distinctive_running_total_overrides_subject(a_kw, b_kw, merged):
    def make(kw, doc, subject):
        kw = {"doc": doc, "cumulative": True, "year": None, "metric": "财政援助资金", **kw}
        text, value, q = kw.pop("text"), kw.pop("value"), kw.pop("q", "exact")
        return fact(text, value, q, subject=subject, **kw)

    a = make(a_kw, "a.txt", "甘肃")
    b = make(b_kw, "b.txt", "天津")
    rows, _ = reconcile(results_of([a, b]))
    assert (len(rows) == 1) is merged
    if merged:
        assert rows[0].rule.startswith("subjects differ (")


def test_subject_equivalents_join_a_renamed_event():
    ents = [Entity("EVENT:jl", "EVENT", "津陇共振兴合作交流洽谈大会", aliases=["津陇共振兴"]),
            Entity("EVENT:jq", "EVENT", "津企陇上行", aliases=["津企隴上行"])]
    old = _cum_ids("168個", 168.0, "a.txt", "2023-03-06", ["EVENT:jq"], period=(2019, 2021))
    new = _cum_ids("320个", 320.0, "b.txt", "2024-07-19", ["EVENT:jl"])
    _, series = reconcile(results_of([old, new]), ents)
    assert [p.value for p in series] == [168.0, 320.0]
    assert {p.subject for p in series} == {"津陇共振兴合作交流洽谈大会"}


def _cum_ids(text, value, doc, date, ids, period=None, metric="签约项目数", sentence=""):
    return fact(text, value, doc=doc, date=date, year=None, period=period, cumulative=True, metric=metric,
                subject=None, subject_ids=ids, sentence=sentence)


def test_metricless_running_total_joins_series_by_nearest_label():
    sent = "连续4年累计签约项目244个,合作总额553亿元,其中已完成和正在实施的项目152个,实际到位资金150.61亿元。"
    pts = [
        _cum_ids("168個", 168.0, "a.txt", "2023-03-06", ["E:1"], period=(2019, 2021)),
        _cum_ids("320个", 320.0, "c.txt", "2024-07-19", ["E:1"]),
        _cum_ids("152個", 152.0, "b.txt", "2023-03-06", ["E:1"], metric="实施项目", sentence=sent),
        _cum_ids("151个", 151.0, "c.txt", "2024-07-19", ["E:1"], metric="实施项目"),
        _cum_ids("244個", 244.0, "b.txt", "2023-03-06", ["E:1"], metric=None, sentence=sent),
    ]
    _, series = reconcile(results_of(pts))
    signed = [p for p in series if p.metric == "签约项目数"]
    assert [p.value for p in signed] == [168.0, 244.0, 320.0]


def test_wide_mention_between_two_rows_is_ambiguous():
    a = fact("149.53亿元", 149.53 * Y, kind="money", unit="元", doc="a.txt")
    b = fact("150.4亿元", 150.4 * Y, kind="money", unit="元", doc="b.txt")
    c = fact("150亿元", 150 * Y, kind="money", unit="元", doc="c.txt")
    rows, _ = reconcile(results_of([a, b, c]))
    assert len(rows) == 3
    assert "ambiguous" in row_of(rows, c.id).note


# ------------------------------------------------------------------------------------------------
# conflicts
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("b_kw", "conflict"),
    [
        ({"doc": "b.txt"}, True),
        ({"doc": "a.txt", "start": 50}, False),  # same article: a distinction, not a disagreement
        ({"doc": "b.txt", "subject": None}, False),  # no subject: not "the same figure"
        ({"doc": "b.txt", "year": 2023}, False),  # other year
    ],
)
def test_conflicts(b_kw, conflict):
    a = fact("100亿元", 100 * Y, kind="money", unit="元", metric="合作总额", doc="a.txt")
    b = fact("120亿元", 120 * Y, **{"kind": "money", "unit": "元", "metric": "合作总额", **b_kw})
    if b_kw.get("subject", "x") is None:
        a = fact("100亿元", 100 * Y, kind="money", unit="元", metric="合作总额", doc="a.txt", subject=None)
    rows, _ = reconcile(results_of([a, b]))
    assert len(rows) == 2
    ra, rb = row_of(rows, a.id), row_of(rows, b.id)
    assert ra.conflict is conflict and rb.conflict is conflict
    if conflict:
        assert ra.conflict_with == [rb.id] and rb.conflict_with == [ra.id]
        assert ra.note == "conflict: 100亿元 here vs 120亿元 in b.txt (same metric, subject and period)"


@pytest.mark.parametrize(("n", "flagged"), [(2, True), (rules().conflict_max_rows, True),
                                              (rules().conflict_max_rows + 1, False)])
def test_generic_metric_groups_are_not_conflicts(n, flagged):
    facts = [fact(f"{10 + 3 * i}亿元", (10 + 3 * i) * Y, kind="money", unit="元", metric="投资额", doc=f"{i}.txt")
             for i in range(n)]
    rows, _ = reconcile(results_of(facts))
    assert len(rows) == n
    assert all(r.conflict is flagged for r in rows)
    if flagged:
        assert all(len(r.conflict_with) == n - 1 for r in rows)


def test_cumulative_conflict_needs_same_as_of():
    kw = dict(kind="money", unit="元", metric="财政援助资金", year=None, cumulative=True)
    a = fact("64.5亿元", 64.5 * Y, doc="a.txt", date="2024-07-19", **kw)
    b = fact("60亿元", 60 * Y, doc="b.txt", date="2024-07-19", **kw)
    c = fact("70亿元", 70 * Y, doc="c.txt", date="2024-12-22", **kw)
    rows, _ = reconcile(results_of([a, b, c]))
    assert row_of(rows, a.id).conflict and row_of(rows, b.id).conflict
    assert not row_of(rows, c.id).conflict


# ------------------------------------------------------------------------------------------------
# series
# ------------------------------------------------------------------------------------------------

def _cum(text, value, doc, date, year=None, period=None, metric="签约项目数", subject="津陇共振兴"):
    return fact(text, value, doc=doc, date=date, year=year, period=period, cumulative=True,
                metric=metric, subject=subject)


def test_series_ordered_by_as_of_not_by_input():
    pts = [
        _cum("320个", 320.0, "c.txt", "2024-07-19"),
        _cum("168个", 168.0, "a.txt", "2023-03-06", period=(2019, 2021)),
        _cum("244个", 244.0, "b.txt", "2023-03-06"),
    ]
    _, series = reconcile(results_of(pts))
    assert [p.value for p in series] == [168.0, 244.0, 320.0]
    assert [p.as_of for p in series] == ["2021-12-31", "2023-03-06", "2024-07-19"]
    assert len({p.series for p in series}) == 1 and all(p.flag is None for p in series)


def test_series_decreasing_flag():
    pts = [_cum("244个", 244.0, "a.txt", "2023-03-06"), _cum("200个", 200.0, "b.txt", "2024-07-19")]
    _, series = reconcile(results_of(pts))
    assert [(p.value, p.flag) for p in series] == [(244.0, None), (200.0, "decreasing")]


def test_series_rounded_later_value_is_not_decreasing():
    pts = [_cum("3825个", 3825.0, "a.txt", "2024-07-19"), _cum("3800余个", 3800.0, "b.txt", "2024-12-22")]
    pts[1].qualifier = "approx"
    rows, series = reconcile(results_of(pts))
    assert len(rows) == 1 and not series  # one row: compatible, so no series of two points


@pytest.mark.parametrize(
    ("total", "period", "editions", "flag"),
    [
        (320.0, None, {2022: 112.0, 2023: 150.0, 2024: 100.0}, "sum-mismatch"),  # parts exceed total
        (320.0, None, {2023: 112.0, 2024: 100.0}, None),  # parts fit inside the total
        (168.0, (2019, 2021), {2019: 50.0, 2020: 60.0, 2021: 40.0}, "sum-mismatch"),  # 150 != 168
        (168.0, (2019, 2021), {2019: 50.0, 2020: 60.0, 2021: 58.0}, None),  # 168 == 168
        (168.0, (2019, 2021), {2019: 50.0, 2020: 60.0}, None),  # 2021 missing: no verdict
    ],
)
def test_series_sum_mismatch(total, period, editions, flag):
    facts = [_cum(f"{total:g}个", total, "t.txt", "2024-07-19", period=period)]
    for i, (y, v) in enumerate(editions.items()):
        facts.append(fact(f"{v:g}个", v, doc=f"e{i}.txt", year=y, subject="津陇共振兴", date=f"{y}-08-01"))
    _, series = reconcile(results_of(facts))
    point = [p for p in series if p.value == total]
    if flag is None:
        assert not point or point[0].flag is None
    else:
        assert point and point[0].flag == flag


# ------------------------------------------------------------------------------------------------
# republished copies
# ------------------------------------------------------------------------------------------------

BODY = (
    "“十四五”以来，津甘东西部协作步入巩固拓展脱贫攻坚成果同乡村振兴有效衔接的新阶段。截至目前，"
    "我市累计向甘肃投入财政援助资金64.5亿元，实施协作项目3800余个；引进企业550家，到位资金74.9亿元，"
    "帮助农村劳动力实现就业37.4万人次。"
)
OTHER = "庆阳市坚持主攻智算、需求拉动、以用促建，持续做大做强算力规模。2024年6月，庆阳数据中心集群智算规模突破1万P。"


def test_text_fingerprint_copies():
    import opencc

    nav = "首页 | 要闻 | 天津 | 政情 | 法治 | 财经\n上一版 下一版\n"
    foot = "\n版权所有 天津日报社 津ICP备05004458号"
    docs = [
        DocumentResult(Document("orig.txt"), fingerprint=text_fingerprint(BODY)),
        DocumentResult(Document("trad.txt", script="traditional"),
                       fingerprint=text_fingerprint(to_simplified(opencc.OpenCC("s2t").convert(BODY)))),
        DocumentResult(Document("page.txt"), fingerprint=text_fingerprint(nav + BODY + foot)),
        DocumentResult(Document("other.txt"), fingerprint=text_fingerprint(OTHER)),
    ]
    clusters = document_clusters(docs)
    assert clusters == {"orig.txt": "orig.txt", "trad.txt": "orig.txt", "page.txt": "orig.txt",
                        "other.txt": "other.txt"}


def test_fallback_fingerprint_from_fact_sentences():
    s1 = BODY
    a = DocumentResult(Document("a.txt"), [fact("64.5亿元", 64.5 * Y, doc="a.txt", sentence=s1)])
    b = DocumentResult(Document("b.txt"), [fact("64.5亿元", 64.5 * Y, doc="b.txt", sentence=s1)])
    c = DocumentResult(Document("c.txt"), [fact("1万P", 1e4, doc="c.txt", sentence=OTHER)])
    assert document_clusters([a, b, c]) == {"a.txt": "a.txt", "b.txt": "a.txt", "c.txt": "c.txt"}


def test_copy_facts_count_once_and_match_by_position():
    fp = text_fingerprint(BODY)
    kw = dict(kind="money", unit="元", year=None, cumulative=True)
    orig = [fact("64.5亿元", 64.5 * Y, doc="a.txt", start=40, metric="财政援助资金", **kw),
            fact("74.9亿元", 74.9 * Y, doc="a.txt", start=80, metric="到位资金", **kw)]
    # the copy's extractor labelled the second figure differently: position still matches it
    copy = [fact("64.5億元", 64.5 * Y, doc="b.txt", start=90, metric="财政援助资金", **kw),
            fact("74.9億元", 74.9 * Y, doc="b.txt", start=130, metric=None, **kw)]
    res = [DocumentResult(Document("a.txt"), orig, fingerprint=fp),
           DocumentResult(Document("b.txt", script="traditional"), copy, fingerprint=fp)]
    rows, _ = reconcile(res)
    assert len(rows) == 2
    assert all(r.n_sources == 2 and r.rule.startswith("republished copy of a.txt") for r in rows)


# ------------------------------------------------------------------------------------------------
# invariants (hypothesis): nothing dropped, nothing twice, rows internally compatible
# ------------------------------------------------------------------------------------------------

_fact_spec = st.tuples(
    st.sampled_from(["count", "money"]),
    st.sampled_from(["签约项目数", "投资额", "签约投资额", None]),
    st.sampled_from(["天津市", "甘肃省", None]),
    st.sampled_from([2023, 2024, None]),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(["exact", "approx", "min", "max"]),
    st.booleans(),
    st.integers(min_value=0, max_value=3),
)


def _build(specs: list[tuple]) -> list[Fact]:
    facts = []
    for i, (kind, metric, subject, year, v, q, cum, doc) in enumerate(specs):
        written = v * 10 if v % 4 else v * 10 + 0.5  # some distinctive (three-digit) figures
        value = float(written)
        text = f"{'约' if q == 'approx' else ''}{written:g}{'亿元' if kind == 'money' else '个'}"
        if kind == "money":
            value *= Y
        facts.append(fact(text, value, q, kind=kind, unit="元" if kind == "money" else "个",
                          doc=f"d{doc}.txt", start=i * 10, metric=metric, subject=subject, year=year,
                          cumulative=cum))
    return facts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_fact_spec, min_size=1, max_size=40), st.randoms(use_true_random=False), st.booleans())
def test_every_fact_in_exactly_one_row(specs, rnd, copies):
    facts = _build(specs)
    results = results_of(facts)
    if copies:  # documents d0 and d1 are republished copies of each other
        for res in results:
            if res.document.path in ("d0.txt", "d1.txt"):
                res.fingerprint = text_fingerprint(BODY)
    rows, series = reconcile(results)
    counts = Counter(s.fact_id for r in rows for s in r.sources)
    assert counts == Counter(f.id for f in facts)
    assert all(r.n_sources == len(r.sources) for r in rows)
    by_id = {f.id: f for f in facts}
    ids = {r.id for r in rows}
    assert len(ids) == len(rows)
    r_ = rules()
    for r in rows:
        members = [by_id[s.fact_id] for s in r.sources]
        ivs = [interval(f) for f in members]
        assert max(iv.lo for iv in ivs) <= min(iv.hi for iv in ivs) * (1 + 1e-9) + 1e-9  # common value
        if copies and r.rule and "republished copy" in r.rule:
            # a copy's twin counts as the original's mention and may lend it a missing label
            members = [f for f in members if f.doc != "d1.txt" and f.metric] or members[:1]
        assert len({(f.kind, r_.metric(f.metric) or "?", f.cumulative) for f in members}) == 1
        assert len({f.year for f in members} - {None}) <= 1
        if not r.rule or "subjects differ" not in r.rule:
            assert len({f.subject for f in members} - {None}) <= 1
        else:
            assert all(f.cumulative for f in members)
        for other in r.conflict_with:
            assert other in ids and r.id in next(x for x in rows if x.id == other).conflict_with
    assert {p.reconciled_id for p in series} <= ids
    # the partition does not depend on the input order
    shuffled = facts[:]
    rnd.shuffle(shuffled)
    results2 = results_of(shuffled)
    for res in results2:
        res.fingerprint = next(x.fingerprint for x in results if x.document.path == res.document.path)
    rows2, _ = reconcile(results2)
    assert sorted(sorted(s.fact_id for s in r.sources) for r in rows) == sorted(
        sorted(s.fact_id for s in r.sources) for r in rows2)


# ------------------------------------------------------------------------------------------------
# the seeds: gold facts grounded in corpus/
# ------------------------------------------------------------------------------------------------

def seed_results() -> list[DocumentResult]:
    """The gold rows of ``seeds.jsonl`` as grounded facts (offsets found in the decoded files)."""
    gold = [json.loads(line) for line in (ROOT / "tests/data/seeds.jsonl").read_text("utf-8").splitlines() if line.strip()]
    texts: dict[str, str] = {}
    cursor: dict[tuple[str, str], int] = {}
    by_doc: dict[str, list[Fact]] = {}
    for g in gold:
        doc = g["doc"]
        if doc not in texts:
            texts[doc] = (ROOT / "corpus" / doc).read_bytes().decode("utf-8", errors="replace")
        key = (doc, g["text"])
        start = texts[doc].find(g["text"], cursor.get(key, 0))
        assert start >= 0, g
        cursor[key] = start + len(g["text"])
        f = Fact(doc, 0, start, start + len(g["text"]), g["text"], g["kind"], g["value"], g["low"], g["high"],
                 g["qualifier"], g["unit"], "CNY" if g["kind"] == "money" else None, g["object"], g["metric"],
                 None, g["year"], None, None, g["cumulative"], "", SEED_DATES[doc])
        assert texts[doc][f.start:f.end] == f.text
        by_doc.setdefault(doc, []).append(f)
    return [DocumentResult(Document(d, date=SEED_DATES[d]), fs) for d, fs in by_doc.items()]


@pytest.fixture(scope="module")
def seeds():
    results = seed_results()
    rows, series = reconcile(results)
    return results, rows, series


def _rows_with(rows, text, doc_prefix):
    return [r for r in rows if any(s.text == text and s.doc.startswith(doc_prefix) for s in r.sources)]


def test_seeds_every_fact_once(seeds):
    results, rows, _ = seeds
    assert Counter(s.fact_id for r in rows for s in r.sources) == Counter(f.id for res in results for f in res.facts)


def test_seeds_fiscal_aid_one_row_two_sources(seeds):
    _, rows, _ = seeds
    [row] = _rows_with(rows, "64.5亿元", "000")
    assert row.n_sources == 2 and {s.doc[:3] for s in row.sources} == {"000", "004"}
    assert row.metric == "财政援助资金" and row.rule == "exact equal value"


def test_seeds_projects_3800_and_3825_compatible(seeds):
    _, rows, _ = seeds
    [row] = _rows_with(rows, "3800余个", "000")
    assert sorted(s.text for s in row.sources) == ["3800余个", "3825个"]
    assert row.rule == "value within 3800余个 (3800–3899)" and row.metric == "协作项目数"
    assert row.value == 3825.0  # the precise mention speaks for the row


@pytest.mark.parametrize(
    ("metric", "values"),
    [("签约项目数", [168.0, 244.0, 320.0]), ("合作总额", [441.1 * Y, 553 * Y, 670.35 * Y])],
)
def test_seeds_jinlong_series(seeds, metric, values):
    _, _, series = seeds
    ids = {p.series for p in series if p.metric == metric}
    assert len(ids) == 1
    pts = [p for p in series if p.series in ids]
    assert [p.value for p in pts] == pytest.approx(values)
    assert all(p.flag is None for p in pts)
    assert [p.as_of for p in pts] == sorted(p.as_of for p in pts)


def test_seeds_shuffled_input_same_rows(seeds):
    results, rows, _ = seeds
    shuffled = [DocumentResult(r.document, random.Random(7).sample(r.facts, len(r.facts))) for r in results[::-1]]
    rows2, _ = reconcile(shuffled)
    assert sorted(r.id for r in rows) == sorted(r.id for r in rows2)


def test_garbled_copy_value_is_not_a_conflict_with_its_original():
    """A copy whose figure came out differently is the same article: not a disagreement."""
    fp = text_fingerprint(BODY)
    kw = dict(kind="money", unit="元", metric="合作总额", subject="天津市")
    a = fact("100亿元", 100 * Y, doc="a.txt", **kw)
    b = fact("10O亿元", 10 * Y, doc="b.txt", **kw)  # OCR-garbled in the copy
    c = fact("120亿元", 120 * Y, doc="c.txt", **kw)
    orig = DocumentResult(Document("a.txt"), [a], fingerprint=fp)
    copy = DocumentResult(Document("b.txt"), [b], fingerprint=fp)
    other = DocumentResult(Document("c.txt"), [c])
    rows, _ = reconcile([orig, copy, other])
    assert len(rows) == 3
    ra, rb, rc = row_of(rows, a.id), row_of(rows, b.id), row_of(rows, c.id)
    assert ra.id not in rb.conflict_with and rb.id not in ra.conflict_with
    assert rc.conflict and ra.id in rc.conflict_with  # a real disagreement between two articles


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x71FF)
_CJK2 = st.characters(min_codepoint=0x7200, max_codepoint=0x9FA5)  # disjoint: a different text


@settings(max_examples=30, deadline=None)
@given(st.lists(_CJK, min_size=150, max_size=400, unique=True).map("".join),
       st.lists(_CJK2, min_size=150, max_size=400, unique=True).map("".join),
       st.lists(st.integers(min_value=0, max_value=149), max_size=10))
def test_copies_cluster_and_strangers_do_not(body, other, breaks):
    """Whitespace, punctuation and page furniture do not hide a copy; unrelated texts stay apart."""
    spaced = list(body)
    for i in sorted(breaks, reverse=True):
        spaced.insert(i, "，\n  ")
    copy = "首页 | 新闻 | 正文\n" + "".join(spaced) + "\n版权所有 ©"
    docs = [DocumentResult(Document("a.txt"), fingerprint=text_fingerprint(body)),
            DocumentResult(Document("b.txt"), fingerprint=text_fingerprint(copy)),
            DocumentResult(Document("c.txt"), fingerprint=text_fingerprint(other))]
    clusters = document_clusters(docs)
    assert clusters["b.txt"] == clusters["a.txt"] == "a.txt"
    assert clusters["c.txt"] == "c.txt"


@pytest.mark.parametrize("module", ["__init__", "compare", "documents", "rules", "_t2s"])
def test_docstring_examples(module):
    """The examples in the reconciler's docstrings run and hold."""
    import doctest
    import importlib

    name = "jinlong_extract.reconcile" + ("" if module == "__init__" else f".{module}")
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [("slot", "null_year", "match-anything"), ("block", "keys", ["kind", "metric"]),
     ("series", "decreasing", "any-drop"), ("documents", "bands", 60)],
)
def test_rules_refuse_what_is_not_implemented(monkeypatch, section, key, value):
    import copy

    from jinlong_extract.data import load_table
    from jinlong_extract.errors import JinlongError
    from jinlong_extract.reconcile import rules as rules_mod

    table = copy.deepcopy(load_table("reconcile"))
    table[section][key] = value
    monkeypatch.setattr(rules_mod, "load_table", lambda name: table)
    rules_mod.rules.cache_clear()
    try:
        with pytest.raises(JinlongError, match=r"data/reconcile.toml: "):
            rules_mod.rules()
    finally:
        monkeypatch.undo()
        rules_mod.rules.cache_clear()
    assert rules_mod.rules().bands == 32
