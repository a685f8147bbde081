"""Microsoft Recognizers-Text Chinese currency and percent specs, through ``extract_text``.

Data: ``tests/data/peer-specs/zh_currency_cases.jsonl`` (CurrencyModel.json) and
``zh_percent_cases.jsonl`` (PercentModel.json), MIT licence beside them. A case passes when the
money (resp. percent) facts, in order, have the expected values (relative tolerance 1e-6) and,
for money, the expected currency. Recognizers names two currencies without an ISO code:
"Dollar" for a bare ``$`` (we read it as USD) and "Bitcoin" (we use the de-facto code XBT).
Bare currency names (``人民币 美元``) are money facts with a null value only with
``Options(bare_currency=True)``, as in Recognizers' model; news tables leave it off.

Required (issue 2): ≥ 97% of the currency cases; all 29 pass. Peers on these files: Recognizers-Python 93.1%
(currency) and 91.5% (percent), JioNLP 55.2% (currency), cn2an 9.2% (percent). Every known
failure is listed below as a strict xfail with its reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jinlong_extract.options import Options
from jinlong_extract.pipeline import extract_text

DATA = Path(__file__).parent / "data" / "peer-specs"
CODES = {"Dollar": "USD", "Bitcoin": "XBT", "Chinese yuan": "CNY"}
OPTIONS = Options(bare_currency=True, entities=False)

CURRENCY_XFAIL: dict[str, str] = {}  # every currency case passes
PERCENT_XFAIL = {
    "百万万分之七": "the spec's expected value 0.0 is a rounding artefact of 7e-08",
    "百分之15Ｋ": "the k (thousand) suffix is not Chinese news usage",
    "百分之3.2k": "the k (thousand) suffix is not Chinese news usage",
    "12k个百分点": "the k (thousand) suffix is not Chinese news usage",
    "１５k个百分点": "the k (thousand) suffix is not Chinese news usage",
    "12k個百分點": "the k (thousand) suffix is not Chinese news usage",
    "１５k個百分點": "the k (thousand) suffix is not Chinese news usage",
    "百 分 之  ５２.５ k": "the k (thousand) suffix is not Chinese news usage",
    "一 百 五 十 个 百 分 点": "a numeral spelled with a space between every character",
    "一 百 五 十 個 百 分 點": "a numeral spelled with a space between every character",
    "百 分 之 一 百二 十点 五": "a numeral spelled with a space between every character",
    "佰 分 之 一 百二 十點 五": "a numeral spelled with a space between every character",
    "找出酒精量在5-20%之间的产品": "we read 5-20% as a range (low 5, high 20); the spec keeps only 20%",
}


def _cases(name):
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _currency_ok(case) -> bool:
    facts = [f for f in extract_text(case["input"], options=OPTIONS) if f.kind == "money"]
    exp = [(e["value"], CODES.get(e["unit"], e["unit"])) for e in case["expected"]]
    got = [(f.value, f.currency) for f in facts]
    return len(got) == len(exp) and all(_same(g[0], e[0]) and g[1] == e[1] for g, e in zip(got, exp))


def _percent_ok(case) -> bool:
    facts = [f for f in extract_text(case["input"], options=Options(entities=False)) if f.kind == "percent"]
    exp = [e["value"] for e in case["expected"]]
    return len(facts) == len(exp) and all(_same(f.value, e) for f, e in zip(facts, exp))


CURRENCY = _cases("zh_currency_cases.jsonl")
PERCENT = _cases("zh_percent_cases.jsonl")


def _param(cases, xfail, key):
    return [pytest.param(c, id=c["id"].split("#")[-1],
                         marks=[pytest.mark.xfail(strict=True, reason=xfail[key(c)])] if key(c) in xfail else [])
            for c in cases]


@pytest.mark.parametrize("case", _param(CURRENCY, CURRENCY_XFAIL, lambda c: c["id"]))
def test_currency_case(case):
    assert _currency_ok(case), case


@pytest.mark.parametrize("case", _param(PERCENT, PERCENT_XFAIL, lambda c: c["input"]))
def test_percent_case(case):
    assert _percent_ok(case), case


def test_currency_pass_rate():
    rate = sum(_currency_ok(c) for c in CURRENCY) / len(CURRENCY)
    assert rate >= 0.97


def test_percent_pass_rate_matches_recognizers():
    rate = sum(_percent_ok(c) for c in PERCENT) / len(PERCENT)
    assert rate >= 0.914  # Recognizers-Python: 0.9145
