"""Scoring facts against gold: matching rules, P/R/F1, attribute accuracy, file reading, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jinlong_extract.cli import app
from jinlong_extract.errors import GoldError, InputError
from jinlong_extract.evaluate import ATTRIBUTES, evaluate, format_details, format_table, load_facts, load_gold

DATA = Path(__file__).parent / "data"


def g(text: str, kind: str = "count", doc: str = "d01.txt", **kw) -> dict:
    row = {"doc": doc, "text": text, "kind": kind, "value": kw.pop("value", None), "qualifier": "exact",
           "unit": None, "year": None, "cumulative": False, "metric": None, "object": None}
    row.update(kw)
    return row


def p(text: str, start: int, kind: str = "count", doc: str = "dev/d01.txt", **kw) -> dict:
    row = g(text, kind, doc, **kw)
    row["start"] = start
    return row


# (name, gold, predicted, {kind: (tp, fp, fn)}, overall (tp, fp, fn))
CASES = [
    ("perfect", [g("5家"), g("21%", "percent")], [p("5家", 0), p("21%", 9, "percent")],
     {"count": (1, 0, 0), "percent": (1, 0, 0)}, (2, 0, 0)),
    ("gold keeps line breaks inside the text", [g("200\n\n余家")], [p("200余家", 3)],
     {"count": (1, 0, 0)}, (1, 0, 0)),
    ("basename match across folders", [g("3个", doc="h01.txt")], [p("3个", 1, doc="a/b/h01.txt")],
     {"count": (1, 0, 0)}, (1, 0, 0)),
    ("same text in another annotated document does not match",
     [g("3个", doc="h01.txt"), g("5家", doc="h02.txt")], [p("3个", 1, doc="h02.txt")],
     {"count": (0, 1, 2)}, (0, 1, 2)),
    ("kind disagreement is FP for predicted and FN for gold", [g("12.8万亩", "quantity")], [p("12.8万亩", 0, "count")],
     {"count": (0, 1, 0), "quantity": (0, 0, 1)}, (0, 1, 1)),
    ("one-to-one: a repeated gold figure needs two predictions", [g("112个"), g("112个")], [p("112个", 50)],
     {"count": (1, 0, 1)}, (1, 0, 1)),
    ("extra predictions are false positives", [g("112个")], [p("112个", 5), p("十四五", 9, "count"), p("第03版", 30)],
     {"count": (1, 2, 0)}, (1, 2, 0)),
    ("nothing predicted", [g("1亿元", "money"), g("2%", "percent")], [],
     {"money": (0, 0, 1), "percent": (0, 0, 1)}, (0, 0, 2)),
]


@pytest.mark.parametrize("name, gold, pred, per_kind, overall", CASES, ids=[c[0] for c in CASES])
def test_counts(name, gold, pred, per_kind, overall) -> None:
    ev = evaluate(gold, pred)
    for kind, expected in per_kind.items():
        s = ev.kinds[kind]
        assert (s.tp, s.fp, s.fn) == expected, kind
    assert (ev.overall.tp, ev.overall.fp, ev.overall.fn) == overall


@pytest.mark.parametrize("all_docs, fp, ignored", [(False, 0, 2), (True, 2, 0)])
def test_documents_without_gold(all_docs: bool, fp: int, ignored: int) -> None:
    gold = [g("3个", doc="h01.txt")]
    pred = [p("3个", 1, doc="h01.txt"), p("3个", 1, doc="x/unannotated.txt"), p("9家", 5, doc="unannotated.txt")]
    ev = evaluate(gold, pred, all_docs=all_docs)
    assert (ev.overall.tp, ev.overall.fp, ev.overall.fn) == (1, fp, 0)
    assert ev.ignored == ignored
    assert ("ignored 2 predictions in 1 documents without gold" in format_table(ev)) == (not all_docs)


def test_per_document_scores() -> None:
    gold = [g("3个", doc="h01.txt"), g("5家", doc="h02.txt")]
    pred = [p("3个", 1, doc="h01.txt"), p("7家", 1, doc="h02.txt")]
    ev = evaluate(gold, pred)
    assert {d: (s.tp, s.fp, s.fn) for d, s in ev.documents.items()} == {"h01.txt": (1, 0, 0), "h02.txt": (0, 1, 1)}
    assert "h02.txt" in format_details(ev).split("unmatched gold")[0]


def test_known_precision_recall_f1() -> None:
    # 4 gold, 5 predicted: 3 right, 1 kind mismatch, 1 spurious -> P 3/5, R 3/4
    gold = [g("5家"), g("21%", "percent"), g("1400余萬元", "money"), g("3320座")]
    pred = [p("5家", 1), p("21%", 5, "percent"), p("1400余萬元", 9, "money"), p("3320座", 20, "quantity"),
            p("G30", 40)]
    ev = evaluate(gold, pred)
    assert ev.overall.precision == pytest.approx(3 / 5)
    assert ev.overall.recall == pytest.approx(3 / 4)
    assert ev.overall.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert ev.kinds["count"].precision == pytest.approx(1 / 2)  # 5家 right; G30 wrong
    assert ev.kinds["count"].recall == pytest.approx(1 / 2)  # 3320座 predicted as quantity
    assert ev.kinds["quantity"].precision == 0.0 and ev.kinds["quantity"].recall == 0.0


def test_pairs_follow_document_order() -> None:
    # the first gold 112个 (year 2024) pairs with the earliest prediction, whatever the list order
    gold = [g("112个", year=2024), g("112个", year=None)]
    pred = [p("112个", 300, year=None), p("112个", 10, year=2024)]
    ev = evaluate(gold, pred)
    assert ev.attributes["year"] == (2, 2)


@pytest.mark.parametrize("attribute, gold_value, pred_value, ok", [
    ("value", 14953000000.0, 14953000000.0 * (1 + 5e-7), True),
    ("value", 14953000000.0, 14953000000.0 * (1 + 5e-6), False),
    ("value", 0, 0.0, True),
    ("value", None, None, True),
    ("value", 3800, None, False),
    ("value", 3800, "3800", True),
    ("year", 2024, 2024.0, True),
    ("year", 2024, None, False),
    ("year", None, None, True),
    ("cumulative", True, "true", True),
    ("cumulative", False, None, True),
    ("cumulative", True, False, False),
    ("qualifier", "approx", "approx", True),
    ("qualifier", "approx", "exact", False),
    ("unit", "元", "元", True),
    ("unit", "元", "万元", False),
    ("metric", "签约金额", " 签约金额 ", True),
    ("metric", "签约金额", "投资额", False),
    ("object", None, "", True),
    ("object", "项目", None, False),
])
def test_attribute_accuracy(attribute, gold_value, pred_value, ok) -> None:
    ev = evaluate([g("5个", **{attribute: gold_value})], [p("5个", 0, **{attribute: pred_value})])
    assert ev.attributes[attribute] == ((1 if ok else 0), 1)


def test_attribute_accuracy_counts_kind_mismatched_pairs_too() -> None:
    ev = evaluate([g("5万亩", "quantity", value=50000)], [p("5万亩", 0, "count", value=50000.0)])
    assert ev.attributes["value"] == (1, 1) and ev.matched == 1


def test_table_last_12_lines() -> None:
    ev = evaluate([g("5家"), g("21%", "percent")], [p("5家", 0), p("9吨", 4, "quantity")])
    tail = format_table(ev).splitlines()[-12:]
    assert [line.split()[0] for line in tail[:5]] == ["money", "count", "percent", "quantity", "overall"]
    assert [line.split()[1] for line in tail[5:]] == list(ATTRIBUTES)
    assert "P 0.500  R 0.500  F1 0.500" in tail[4]
    assert "count      P 1.000  R 1.000  F1 1.000" in tail[1]


def test_table_keeps_12_line_tail_with_unknown_kinds() -> None:
    ev = evaluate([g("5家")], [p("5家", 0), p("5年", 3, "duration")])
    lines = format_table(ev).splitlines()
    assert any(line.startswith("(duration)") for line in lines[:-12])
    assert lines[-8].startswith("overall") and "fp    1" in lines[-8]


def test_details_list_unmatched_both_ways() -> None:
    ev = evaluate([g("5家"), g("2%", "percent")], [p("5家", 0, value=6.0), p("9吨", 4, "quantity")])
    text = format_details(ev)
    assert 'unmatched gold (1):\n  d01.txt  "2%"  percent' in text
    assert 'unmatched predictions (1):\n  d01.txt@4  "9吨"  quantity' in text
    assert "value: gold None / predicted 6.0" in text


@pytest.mark.parametrize("content, message", [
    ("", "no gold rows"),
    ("{not json\n", "line 1: not JSON"),
    ('{"doc": "a.txt", "text": "5个", "kind": "count"}\n[1]\n', "line 2: not a JSON object"),
    ('{"doc": "a.txt", "kind": "count"}\n', "line 1: missing text"),
    ('{"doc": "a.txt", "text": "5年", "kind": "duration"}\n', "unknown kind 'duration'"),
])
def test_bad_gold_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GoldError, match=message) as info:
        load_gold(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name, content", [
    ("facts.json", json.dumps([{"doc": "a.txt", "text": "5个", "kind": "count", "start": 3}], ensure_ascii=False)),
    ("facts.jsonl", '{"doc": "a.txt", "text": "5个", "kind": "count", "start": 3}\n\n'),
    ("facts.csv", "\ufeffdoc,start,text,kind\na.txt,3,5个,count\n"),
])
def test_load_facts_formats(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    for target in (tmp_path / name, tmp_path):  # a file, or the output directory holding it
        rows = load_facts(target)
        assert [(r["doc"], r["text"], r["kind"]) for r in rows] == [("a.txt", "5个", "count")]


@pytest.mark.parametrize("content", ['{"doc": ', "[1, 2]"])
def test_load_facts_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "facts.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="facts.json"):
        load_facts(path)


def test_gold_files_in_tests_follow_the_schema() -> None:
    assert len(load_gold(DATA / "dev" / "gold.jsonl")) == 116
    assert len(load_gold(DATA / "seeds.jsonl")) == 127


def test_gold_scored_against_itself_is_perfect() -> None:
    gold = load_gold(DATA / "dev" / "gold.jsonl")
    pred = [dict(row, start=i) for i, row in enumerate(gold)]
    ev = evaluate(gold, pred)
    assert ev.overall.f1 == 1.0 and all(ev.accuracy(a) == 1.0 for a in ATTRIBUTES)


runner = CliRunner()


def _files(tmp_path: Path) -> tuple[Path, Path]:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [g("5家"), g("21%", "percent")]) + "\n",
                    encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps([p("5家", 0), p("9吨", 4, "quantity")], ensure_ascii=False), encoding="utf-8")
    return gold, facts


def test_cli_table(tmp_path: Path) -> None:
    gold, facts = _files(tmp_path)
    result = runner.invoke(app, ["evaluate", str(gold), str(facts)])
    assert result.exit_code == 0, result.output
    tail = result.stdout.splitlines()[-12:]
    assert tail[4].startswith("overall") and "P 0.500  R 0.500" in tail[4]


def test_cli_json(tmp_path: Path) -> None:
    gold, facts = _files(tmp_path)
    result = runner.invoke(app, ["evaluate", str(gold), str(facts), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["overall"]["precision"] == 0.5 and data["overall"]["recall"] == 0.5
    assert data["kinds"]["count"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert data["attributes"]["value"]["total"] == 1


def test_cli_all_docs(tmp_path: Path) -> None:
    gold, facts = _files(tmp_path)
    facts.write_text(json.dumps([p("5家", 0), p("9吨", 4, "quantity", doc="other.txt")], ensure_ascii=False),
                     encoding="utf-8")
    default = json.loads(run_cli("evaluate", str(gold), str(facts), "--json").stdout)
    counted = json.loads(run_cli("evaluate", str(gold), str(facts), "--json", "--all-docs").stdout)
    assert (default["overall"]["fp"], default["ignored"]) == (0, 1)
    assert (counted["overall"]["fp"], counted["ignored"]) == (1, 0)


def run_cli(*args: str):
    return runner.invoke(app, list(args))


def test_cli_verbose_lists_unmatched_before_the_table(tmp_path: Path) -> None:
    gold, facts = _files(tmp_path)
    result = runner.invoke(app, ["evaluate", str(gold), str(facts), "--verbose"])
    assert result.exit_code == 0
    out = result.stdout
    assert out.index("unmatched gold (1)") < out.index("unmatched predictions (1)") < out.index("overall")
    assert out.splitlines()[-8].startswith("overall")


@pytest.mark.parametrize("which", ["gold", "facts"])
def test_cli_missing_file_is_a_one_line_error(tmp_path: Path, which: str) -> None:
    gold, facts = _files(tmp_path)
    args = [str(tmp_path / "nope.jsonl"), str(facts)] if which == "gold" else [str(gold), str(tmp_path / "nope.json")]
    result = runner.invoke(app, ["evaluate", *args])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "nope" in result.stderr and "no such file" in result.stderr
    assert result.stdout == ""


_row = st.fixed_dictionaries({
    "doc": st.sampled_from(["a.txt", "b.txt"]),
    "text": st.sampled_from(["5家", "5 家", "21%", "3至5个", "1400余萬元"]),
    "kind": st.sampled_from(["money", "count", "percent", "quantity"]),
    "value": st.one_of(st.none(), st.floats(0, 1e12)),
})


@settings(max_examples=200, deadline=None)
@given(gold=st.lists(_row, max_size=12), pred=st.lists(_row, max_size=12), all_docs=st.booleans())
def test_property_counts_add_up(gold, pred, all_docs) -> None:
    pred = [dict(r, start=i) for i, r in enumerate(pred)]
    ev = evaluate(gold, pred, all_docs=all_docs)
    scored = len(pred) - ev.ignored
    assert ev.overall.tp + ev.overall.fn == len(gold)  # every gold row is found or missed
    assert ev.overall.tp + ev.overall.fp == scored  # every scored prediction is right or wrong
    assert ev.matched == ev.overall.tp + len(ev.kind_mismatches) <= min(len(gold), scored)
    assert ev.matched + len(ev.unmatched_gold) == len(gold)
    assert all(t == ev.matched for _, t in ev.attributes.values())
    assert 0.0 <= ev.overall.f1 <= 1.0


@settings(max_examples=100, deadline=None)
@given(gold=st.lists(_row, min_size=1, max_size=12), seed=st.randoms(use_true_random=False))
def test_property_gold_against_itself_in_any_order(gold, seed) -> None:
    pred = [dict(r, start=i) for i, r in enumerate(gold)]
    seed.shuffle(pred)  # list order does not matter: starts give the document order
    ev = evaluate(gold, pred)
    assert (ev.overall.fp, ev.overall.fn) == (0, 0)
    assert all(c == t for c, t in ev.attributes.values())
