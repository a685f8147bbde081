"""The library API end to end: extract_text, process_document, extract_paths."""

from __future__ import annotations

import pickle

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinlong_extract import FACT_COLUMNS, Options, extract_paths, extract_text, process_document
from jinlong_extract.errors import InputError

BRIEF = [
    # (text, figure text, value, qualifier, unit)
    ("框架协议1400余萬(wàn)元", "1400余萬(wàn)元", 14_000_000.0, "approx", "元"),
    ("总投资6.8 億元", "6.8 億元", 680_000_000.0, "exact", "元"),
    ("涵蓋14個(gè)項(xiàng)目", "14個(gè)", 14.0, "exact", "个"),
    ("合作總額達150億元", "150億元", 15_000_000_000.0, "exact", "元"),
    ("签约３．５亿元", "３．５亿元", 350_000_000.0, "exact", "元"),
    ("設立專櫃、培訓專員,1公里內的200\n\n余家缴存单位", "200\n\n余家", 200.0, "approx", "家"),
    # invisible and narrow spaces between a number and its unit (WeChat copies)
    ("实施协作项目312\u200b个", "312\u200b个", 312.0, "exact", "个"),
    ("建成8\u202f座大棚", "8\u202f座", 8.0, "exact", "座"),
    ("投入资金12.5\u00ad亿元", "12.5\u00ad亿元", 1_250_000_000.0, "exact", "元"),
    # a number broken after its decimal point in a hard-wrapped body line
    ("截至目前，我市累计向甘肃投入财政援助资金64.\n5亿元", "64.\n5亿元", 6_450_000_000.0, "exact", "元"),
]


@pytest.mark.parametrize("text,figure,value,qualifier,unit", BRIEF)
def test_messy_text_is_grounded(text, figure, value, qualifier, unit):
    facts = {f.text: f for f in extract_text(text)}
    assert figure in facts, list(facts)
    f = facts[figure]
    assert text[f.start:f.end] == f.text
    assert (f.value, f.qualifier, f.unit) == (value, qualifier, unit)


@pytest.mark.parametrize("text, date, years", [
    # a headline's figure repeated in a body that dates it takes the body's year, also when the
    # body's mention is no better attested than the headline's
    ("鲁渝劳务协作送岗位 1.2万余个岗位等你来\n2022年2月18日，鲁渝劳务协作招聘会在重庆举行。"
     "山东省的156家企业带来了1.2万余个就业岗位。", "2022-02-20", [("1.2万余个", 2022, "copy"), ("156家", 2022, "context"),
                                                        ("1.2万余个", 2022, "context")]),
    # a repeat with a year of its own keeps it
    ("2021年签约项目12个。2022年签约项目12个。", None, [("12个", 2021, "explicit"), ("12个", 2022, "explicit")]),
])
def test_repeated_figures_share_their_year(text, date, years):
    assert [(f.text, f.year, f.year_source) for f in extract_text(text, doc_date=date)] == years


def test_traditional_and_simplified_agree():
    simplified = "截至目前，累计投入财政援助资金64.5亿元，实施协作项目3800余个，引进企业550家。"
    traditional = opencc.OpenCC("s2t").convert(simplified)
    a = [(f.kind, f.value, f.qualifier, f.unit, f.metric, f.cumulative) for f in extract_text(simplified)]
    b = [(f.kind, f.value, f.qualifier, f.unit, f.metric, f.cumulative) for f in extract_text(traditional)]
    assert a == b and len(a) == 3


def test_relative_year_needs_a_date():
    text = "今年以来，我市采购甘肃农特产品超20亿元。"
    assert extract_text(text)[0].year is None
    assert extract_text(text, doc_date="2024-07-19")[0].year == 2024


def test_options_kinds_and_entities():
    text = "天津市投资149.53亿元，签约112个项目，增长21%。"
    assert {f.kind for f in extract_text(text, options=Options(kinds=("money",)))} == {"money"}
    facts = extract_text(text, options=Options(entities=False))
    assert all(f.subject is None for f in facts)


def test_fact_columns_are_stable():
    assert FACT_COLUMNS[:20] == (
        "doc", "article", "start", "end", "text", "kind", "value", "low", "high", "qualifier", "unit",
        "currency", "object", "metric", "subject", "year", "period_start", "period_end", "cumulative", "sentence")


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"\x00\x01\x02\x03binary\x00" * 50, "binary"),
])
def test_bad_bytes_are_skipped_not_raised(data, reason):
    result = process_document(data, "bad.txt")
    assert result.document.skipped and result.facts == []
    assert reason in result.document.errors[0]


def test_extract_text_raises_a_typed_error_on_empty_text():
    with pytest.raises(InputError):
        extract_text("   ")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_process_document_never_raises(data):
    result = process_document(data, "random.txt", options=Options(entities=False))
    pickle.loads(pickle.dumps(result))  # crosses process and Dask boundaries
    if not result.document.skipped:
        for f in result.facts:
            assert f.start <= f.end


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("截至目前累计投入资金64.5亿元余个家超過萬(wàn)億，。\n 年月日“”十四五第")), max_size=80))
def test_every_fact_is_grounded_in_random_text(text):
    try:
        facts = extract_text(text, options=Options(entities=False))
    except InputError:
        return  # empty after stripping
    for f in facts:
        assert text[f.start:f.end] == f.text


def test_extract_paths_on_the_corpus():
    run = extract_paths(["corpus"], jobs=1)
    assert len(run.documents) == 5 and not run.skipped
    assert len(run.facts) >= 120
    assert run.entities and run.reconciled


@pytest.mark.parametrize("module", ["jinlong_extract.pipeline", "jinlong_extract.engine.forked",
                                    "jinlong_extract.export.tables", "jinlong_extract.spool"])
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    failed, attempted = doctest.testmod(importlib.import_module(module))
    assert failed == 0
