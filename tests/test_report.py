"""The offline HTML report: content, grounding of every highlight, escaping, atomic write.

Cases are built by hand into a tiny output folder (``build_sample_output``), shaped exactly like
what ``jinlong extract`` writes (``records.*.to_dict()`` arrays), with articles on disk so the report
reads them again: a UTF-8 article with a BOM, a GB18030 one, and a hostile one carrying
``<script>``, ``onerror=`` and ``javascript:`` markup. ``tests/test_report_browser.py`` opens the
same folder in headless Chromium.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.errors import InputError
from jinlong_extract.records import Document, Fact, Reconciled, SeriesPoint, Source
from jinlong_extract.report import build_report, highlight
from jinlong_extract.report.fmt import format_interval, format_value
from jinlong_extract.report.load import decode_original

# --------------------------------------------------------------------------- the sample folder

ARTICLE_A = (
    "产业协作再结硕果 签约112个项目投资149.53亿元\n\n"
    "  7月17日,在甘肃武威举行的2024年“津陇共振兴”合作交流洽谈大会上,112个项目现场签约,"
    "投资额达149.53亿元。“津陇共振兴”合作交流洽谈大会已连续举办5年,参会企业累计超过2000家,"
    "签约项目320个,合作总额达670.35亿元。\n"
)
ARTICLE_B = (  # stored as GB18030, the encoding the documents table records
    "2019年至2021年,津甘连续三届举办“津企陇上行”活动,累计签约项目168个,合作总额441.1亿元,"
    "实际到位资金148.31亿元。\n"
)
XSS = '<script>alert(1)</script>'
IMG = '<img src=x onerror=alert(1)>'
JSLINK = '<a href="javascript:alert(1)">点我</a>'
ARTICLE_X = (
    f"恶意页面 {XSS}\n{IMG} 投资20亿元 {JSLINK}\n"
    "注释<!-- 结束 --> 与 </script><script>alert(3)</script> 增长15%\n"
)
#: a metric / subject carrying markup: must not break out of the embedded JSON either
EVIL_METRIC = "</script><script>alert(2)</script>"


def _fact(doc: str, text: str, original: str, kind: str, value: float, unit: str, *, nth: int = 0, **kw) -> Fact:
    start = -1
    for _ in range(nth + 1):
        start = original.index(text, start + 1)
    base = dict(article=0, low=value, high=value, qualifier="exact", currency="CNY" if kind == "money" else None,
                object=None, metric=None, subject=None, year=None, period_start=None, period_end=None,
                cumulative=False, sentence=original[max(0, start - 10):start + len(text) + 5])
    base.update(kw)
    return Fact(doc=doc, start=start, end=start + len(text), text=text, kind=kind, value=value, unit=unit, **base)


def build_sample_output(root: Path) -> dict:
    """Write three articles and an output folder for them under ``root``; return the records."""
    src = root / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE_A.encode("utf-8"))
    (src / "b.txt").write_bytes(ARTICLE_B.encode("gb18030"))
    (src / "x.txt").write_text(ARTICLE_X, encoding="utf-8")
    a, b, x = ARTICLE_A, ARTICLE_B, ARTICLE_X
    facts = [
        _fact("a.txt", "112个", a, "count", 112, "个", object="项目", metric="签约项目数", year=2024),
        _fact("a.txt", "149.53亿元", a, "money", 149.53e8, "元", metric="投资额", year=2024),
        _fact("a.txt", "112个", a, "count", 112, "个", nth=1, object="项目", metric="签约项目数", year=2024,
              subject="津陇共振兴"),
        _fact("a.txt", "149.53亿元", a, "money", 149.53e8, "元", nth=1, metric="投资额", year=2024),
        _fact("a.txt", "超过2000家", a, "count", 2000, "家", qualifier="min", high=None, metric="参会企业数",
              cumulative=True),
        _fact("a.txt", "320个", a, "count", 320, "个", metric="签约项目数", subject="津陇共振兴", cumulative=True),
        _fact("a.txt", "670.35亿元", a, "money", 670.35e8, "元", metric="合作总额", subject="津陇共振兴",
              cumulative=True),
        _fact("b.txt", "168个", b, "count", 168, "个", metric="签约项目数", subject="津陇共振兴", cumulative=True,
              period_start=2019, period_end=2021),
        _fact("b.txt", "441.1亿元", b, "money", 441.1e8, "元", metric="合作总额", subject="津陇共振兴",
              cumulative=True),
        _fact("b.txt", "148.31亿元", b, "money", 148.31e8, "元", metric="到位资金"),
        _fact("x.txt", "20亿元", x, "money", 20e8, "元", metric=EVIL_METRIC, subject=IMG),
        _fact("x.txt", "15%", x, "percent", 15, "%", metric="增长"),
    ]
    f = {(fa.doc, fa.text, i): fa for i, fa in enumerate(facts)}
    by_text = {}
    for (doc, text, _), fa in f.items():
        by_text.setdefault((doc, text), []).append(fa)

    def src_of(fa: Fact) -> Source:
        return Source(fa.id, fa.doc, fa.article, fa.start, fa.end, fa.text, fa.value, fa.date)

    def rec(rid: str, facts_: list[Fact], **kw) -> Reconciled:
        fa = facts_[0]
        base = dict(id=rid, kind=fa.kind, metric=fa.metric, subject=fa.subject, subject_id=None, year=fa.year,
                    period_start=fa.period_start, period_end=fa.period_end, cumulative=fa.cumulative, unit=fa.unit,
                    value=fa.value, low=fa.low, high=fa.high, qualifier=fa.qualifier, n_sources=len(facts_),
                    sources=[src_of(s) for s in facts_], rule="same value" if len(facts_) > 1 else None)
        base.update(kw)
        return Reconciled(**base)

    reconciled = [
        rec("R1", by_text[("a.txt", "112个")]),
        rec("R2", by_text[("a.txt", "149.53亿元")]),
        rec("R3", by_text[("a.txt", "320个")]),
        rec("R4", by_text[("b.txt", "168个")]),
        rec("R5", by_text[("a.txt", "670.35亿元")]),
        rec("R6", by_text[("b.txt", "441.1亿元")]),
        rec("R7", by_text[("b.txt", "148.31亿元")], conflict=True, conflict_with=["R2"],
            note="same metric and year, values differ"),
        rec("R8", by_text[("x.txt", "20亿元")]),
    ]
    series = [
        SeriesPoint("S1", "津陇共振兴", "签约项目数", "个", "2021-12-31", 168.0, "R4", [by_text[("b.txt", "168个")][0].id]),
        SeriesPoint("S1", "津陇共振兴", "签约项目数", "个", "2024-07-17", 320.0, "R3", [by_text[("a.txt", "320个")][0].id]),
        SeriesPoint("S2", "津陇共振兴", "合作总额", "元", "2021-12-31", 441.1e8, "R6", [by_text[("b.txt", "441.1亿元")][0].id]),
        SeriesPoint("S2", "津陇共振兴", "合作总额", "元", "2023-03-06", 400e8, "R6", [by_text[("b.txt", "441.1亿元")][0].id],
                    flag="decreasing"),
        SeriesPoint("S2", "津陇共振兴", "合作总额", "元", "2024-07-17", 670.35e8, "R5",
                    [by_text[("a.txt", "670.35亿元")][0].id]),
    ]
    documents = [
        Document("a.txt", str(src / "a.txt"), "utf-8", "simplified", "2024-07-19", 1, 7, sha256="a", size=1),
        Document("b.txt", str(src / "b.txt"), "gb18030", "simplified", "2023-03-06", 1, 3, sha256="b", size=1),
        Document("x.txt", str(src / "x.txt"), "utf-8", "simplified", None, 1, 2, sha256="x", size=1),
        Document("bad.bin", str(src / "bad.bin"), None, errors=["bad.bin: binary file (NUL bytes)"], skipped=True),
    ]
    out = root / "out"
    out.mkdir()
    for name, rows in (("facts", facts), ("documents", documents), ("reconciled", reconciled), ("series", series)):
        (out / f"{name}.json").write_text(
            json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1), encoding="utf-8")
    return {"out": out, "facts": facts, "reconciled": reconciled, "series": series, "documents": documents}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = build_sample_output(tmp_path_factory.mktemp("report"))
    data["path"] = build_report(data["out"])
    data["html"] = data["path"].read_text(encoding="utf-8")
    return data


class _Collect(HTMLParser):
    """Elements by tag, with attributes, and the text inside each <mark> (in order)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.marks: dict[str, str] = {}
        self._open: list[str] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "mark":
            self._open.append(a.get("id", ""))
            self.marks.setdefault(a.get("id", ""), "")
        if tag == "script":
            self._in_script = True
            self.script_bodies.append("")

    def handle_endtag(self, tag):
        if tag == "mark" and self._open:
            self._open.pop()
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        for mid in self._open:
            self.marks[mid] += data
        if self._in_script:
            self.script_bodies[-1] += data


def _parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


# --------------------------------------------------------------------------- content


def test_every_fact_has_a_highlight_with_its_id_and_text(sample):
    parsed = _parse(sample["html"])
    for f in sample["facts"]:
        assert f"f-{f.id}" in parsed.marks, f.id
        assert parsed.marks[f"f-{f.id}"] == f.text


@pytest.mark.parametrize("kind", ["money", "count", "percent"])
def test_highlights_carry_their_kind_class(sample, kind):
    parsed = _parse(sample["html"])
    ids = {f"f-{f.id}" for f in sample["facts"] if f.kind == kind}
    classes = {a["id"]: a["class"] for t, a in parsed.tags if t == "mark"}
    assert ids and all(f"k-{kind}" in classes[i].split() for i in ids)


def test_reconciled_sources_link_to_existing_highlights(sample):
    parsed = _parse(sample["html"])
    ids = {a["id"] for _, a in parsed.tags if "id" in a}
    rows = {a["id"] for t, a in parsed.tags if t == "tr" and a.get("id", "").startswith("r-")}
    assert rows == {f"r-{r.id}" for r in sample["reconciled"]}
    links = [a["href"] for t, a in parsed.tags if t == "a" and a.get("href", "").startswith("#f-")]
    for r in sample["reconciled"]:
        for s in r.sources:
            assert any(unquote(h[1:]) == f"f-{s.fact_id}" for h in links), s.fact_id
    assert all(unquote(h[1:]) in ids for h in links)  # no dangling link


def test_series_points_link_to_their_source_facts(sample):
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", sample["html"], flags=re.S)
    assert len(svgs) == 2  # two series, one chart each
    point_links = re.findall(r'<a class="ptlink" href="([^"]+)"', "".join(svgs))
    expected = {"#f-" + p.fact_ids[0] for p in sample["series"]}
    assert {unquote(h) for h in point_links} == expected
    assert 'class="pt flag"' in svgs[1] or 'class="pt flag"' in svgs[0]  # the decreasing point


@pytest.mark.parametrize("needle", [
    "Check first", "conflicting figures", "series inconsistencies", "skipped files",
    "bad.bin: binary file (NUL bytes)", "same metric and year, values differ", "decreasing",
    'id="rtable"', 'id="rfilter"', 'id="details"', "149.53亿元", "670.35亿元",
])
def test_overview_and_sections_are_there(sample, needle):
    assert needle in sample["html"]


def test_gb18030_article_is_read_with_its_recorded_encoding(sample):
    assert "累计签约项目" in sample["html"]


def test_fact_details_are_embedded_for_the_script(sample):
    parsed = _parse(sample["html"])
    data = json.loads(parsed.script_bodies[0])
    f = sample["facts"][4]  # 超过2000家
    d = data["facts"][f.id]
    assert (d["kind"], d["value"], d["interval"], d["qualifier"]) == ("count", "2000家", "≥ 2000家", "min")
    assert data["facts"][sample["facts"][0].id]["rec"] == "R1"


def test_page_is_offline(sample):
    html = sample["html"]
    assert not re.search(r"(?i)(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert "default-src 'none'" in html
    assert "<link" not in html


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("raw", [XSS, IMG, JSLINK, "</script><script>alert(3)</script>", EVIL_METRIC])
def test_hostile_markup_never_appears_raw(sample, raw):
    assert raw not in sample["html"]


def test_hostile_article_shows_as_text(sample):
    parsed = _parse(sample["html"])
    assert [t for t, _ in parsed.tags].count("script") == 2  # the JSON data block and the page script
    assert not any(t == "img" for t, _ in parsed.tags)
    assert not any(any(k.startswith("on") for k in a) for _, a in parsed.tags)
    assert not any("javascript:" in (a.get("href") or "") for _, a in parsed.tags)
    assert escape_text(XSS) in sample["html"] and escape_text(IMG) in sample["html"]


def escape_text(s: str) -> str:
    import html

    return html.escape(s, quote=False)


def test_embedded_json_cannot_close_its_script(sample):
    body = sample["html"].split('<script type="application/json" id="jl-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body
    assert json.loads(body)["facts"][sample["facts"][10].id]["metric"] == EVIL_METRIC


def test_script_is_allowed_by_its_hash_only(sample):
    import base64
    import hashlib

    parsed = _parse(sample["html"])
    digest = base64.b64encode(hashlib.sha256(parsed.script_bodies[1].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in sample["html"]
    script_src = re.search(r"script-src ([^;\"]*)", sample["html"]).group(1)
    assert script_src == f"'sha256-{digest}'"  # no 'unsafe-inline' for scripts
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", parsed.script_bodies[1])


# --------------------------------------------------------------------------- highlight()


def _f(start: int, end: int, text: str, kind: str = "count") -> Fact:
    return Fact("d", 0, start, end, text, kind, 1.0, 1.0, 1.0, "exact", "个", None, None, None, None, None, None,
                None, False, "")


HIGHLIGHT_CASES = [
    # (text, spans, expected html) — nested, adjacent, crossing, markup between
    ("签约112个项目", [(2, 6)], '签约<m f-d#2-6>112个</m>项目'),
    ("3至5个<b>", [(0, 4)], '<m f-d#0-4>3至5个</m>&lt;b&gt;'),
    ("12个34个", [(0, 3), (3, 6)], '<m f-d#0-3>12个</m><m f-d#3-6>34个</m>'),
    ("1400余万元", [(0, 7), (0, 4)], '<m f-d#0-7><m f-d#0-4>1400</m>余万元</m>'),
    ("abcdef", [(0, 4), (2, 6)], '<m f-d#0-4>ab<m f-d#2-6>cd</m></m>ef'),
]


def _simplify(html: str) -> str:
    return re.sub(r'<mark class="[^"]*" id="([^"]*)"[^>]*>', r"<m \1>", html).replace("</mark>", "</m>")


@pytest.mark.parametrize("text,spans,expected", HIGHLIGHT_CASES)
def test_highlight_cases(text, spans, expected):
    facts = [_f(s, e, text[s:e]) for s, e in spans]
    assert _simplify(highlight(text, facts)) == expected


def test_highlight_squeezes_blank_runs_only_when_asked():
    text = "\n\n\n\n标题\n\n\n\n\n签约112个"
    facts = [_f(13, 17, "112个")]
    assert _simplify(highlight(text, facts)) == "\n\n\n\n标题\n\n\n\n\n签约<m f-d#13-17>112个</m>"
    assert _simplify(highlight(text, facts, squeeze=True)) == "\n\n标题\n\n签约<m f-d#13-17>112个</m>"


def test_highlight_inserts_article_headlines_outside_marks():
    text = "签约112个。第二篇 投资5亿元"
    html = highlight(text, [_f(2, 6, "112个")], breaks=[(4, "<H>")])
    assert _simplify(html) == "签约<m f-d#2-6>112个</m><H>。第二篇 投资5亿元"


def test_highlight_hides_tags_of_html_sources_between_figures():
    page = "<html><head><script>var x=1;</script></head><body><p>签约&amp;112个</p></body></html>"
    s = page.index("112个")
    html = highlight(page, [_f(s, s + 4, "112个")], html_source=True)
    assert _simplify(html) == f"签约&amp;<m f-d#{s}-{s + 4}>112个</m>"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="签约个<>&\"'\n 12", max_size=40), st.data())
def test_highlight_keeps_all_text_and_escapes_it(text, data):
    import html as _html

    n = len(text)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=6)))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    facts = [_f(s, e, text[s:e]) for s, e in spans]
    out = highlight(text, facts)
    assert "<" not in re.sub(r"</?mark[^>]*>", "", out)
    assert _html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text
    assert out.count("<mark") == len(facts) == out.count("</mark>")


# --------------------------------------------------------------------------- formatting, loading, writing


@pytest.mark.parametrize("value,unit,expected", [
    (14953000000.0, "元", "149.53亿元"), (67035000000.0, "元", "670.35亿元"), (14000000.0, "元", "1400万元"),
    (112.0, "个", "112个"), (394000.0, "人次", "39.4万人次"), (21.0, "%", "21%"), (0.5, "个百分点", "0.5个百分点"),
    (None, "元", "—"), (2000.0, None, "2000"),
])
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize("low,high,unit,expected", [
    (3.0, 5.0, "个", "3个 – 5个"), (20e8, None, "元", "≥ 20亿元"), (None, 5e4, "元", "≤ 5万元"),
    (112.0, 112.0, "个", "112个"), (None, None, "元", "—"),
])
def test_format_interval(low, high, unit, expected):
    assert format_interval(low, high, unit) == expected


@pytest.mark.parametrize("raw,encoding,expected", [
    ("\ufeff签约112个".encode("utf-8"), "utf-8", "签约112个"),
    ("签约112个".encode("gb18030"), "gb18030", "签约112个"),
    ("簽約112個".encode("big5"), "big5", "簽約112個"),
    ("签约".encode("utf-8"), None, "签约"),
    ("签约".encode("utf-8"), "no-such-codec", "签约"),
])
def test_decode_original(raw, encoding, expected):
    assert decode_original(raw, encoding) == expected


def test_moved_source_still_lists_its_figures(tmp_path):
    data = build_sample_output(tmp_path)
    (tmp_path / "in" / "b.txt").unlink()
    html = build_report(data["out"]).read_text(encoding="utf-8")
    parsed = _parse(html)
    for f in data["facts"]:
        assert parsed.marks[f"f-{f.id}"] == f.text
    assert "cannot read the source again" in html


def test_changed_source_is_flagged(tmp_path):
    data = build_sample_output(tmp_path)
    (tmp_path / "in" / "a.txt").write_text("全文已改写。" + ARTICLE_A, encoding="utf-8")
    html = build_report(data["out"]).read_text(encoding="utf-8")
    assert "changed since extraction" in html
    assert all(f"f-{f.id}" in _parse(html).marks for f in data["facts"])


@pytest.mark.parametrize("setup,reason", [
    (lambda d: None, "facts.json: missing"),
    (lambda d: (d / "facts.json").write_text("{not json", encoding="utf-8"), "unreadable table"),
    (lambda d: (d / "facts.json").write_text('{"a": 1}', encoding="utf-8"), "expected a JSON array"),
    (lambda d: (d / "facts.json").write_text('[{"doc": "a"}]', encoding="utf-8"), "do not match the record"),
])
def test_bad_output_folder_raises_one_line_input_error(tmp_path, setup, reason):
    setup(tmp_path)
    with pytest.raises(InputError) as err:
        build_report(tmp_path)
    assert reason in str(err.value) and "\n" not in str(err.value)


def test_missing_folder_raises(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        build_report(tmp_path / "nope")


def test_write_is_atomic_and_goes_where_asked(tmp_path):
    data = build_sample_output(tmp_path)
    target = tmp_path / "elsewhere" / "r.html"
    assert build_report(data["out"], out=target) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(target.parent.glob(".report-*"))  # no temp file left behind
    assert build_report(data["out"], out=tmp_path / "elsewhere") == tmp_path / "elsewhere" / "report.html"


def test_only_facts_json_is_required(tmp_path):
    data = build_sample_output(tmp_path)
    for name in ("documents", "reconciled", "series"):
        (data["out"] / f"{name}.json").unlink()
    html = build_report(data["out"]).read_text(encoding="utf-8")
    assert "no reconciled table in this output" in html
    assert all(f"f-{f.id}" in _parse(html).marks for f in data["facts"])


@pytest.mark.parametrize("module", ["fmt", "svg", "load", "html", "terminal"])
def test_docstring_examples_hold(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"jinlong_extract.report.{module}"))
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------- the seed corpus, end to end


@pytest.mark.slow  # runs the whole extractor over corpus/ (jieba, OpenCC, reconciliation): several seconds
def test_report_over_the_seed_corpus(tmp_path):
    from typer.testing import CliRunner

    from jinlong_extract.cli import app

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["extract", str(root / "corpus"), "--out", str(out), "--format", "json",
                                   "--quiet", "--no-cache", "--report"])
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    parsed = _parse(html)
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert len(facts) > 50
    for f in facts:  # every figure highlighted in place, with its id and exactly its text
        assert parsed.marks.get(f"f-{f['id']}") == f["text"], f["id"]
    ids = {a["id"] for _, a in parsed.tags if "id" in a}
    links = [unquote(a["href"][1:]) for t, a in parsed.tags if t == "a" and a.get("href", "").startswith("#")]
    assert links and all(h in ids for h in links)  # no dangling in-page link
    assert "changed since extraction" not in html and "cannot read the source" not in html
    assert "149.53亿元" in html and "津陇共振兴" in html
    if json.loads((out / "series.json").read_text(encoding="utf-8")):
        assert '<svg class="chart"' in html


def test_hostile_file_name_and_headline_are_escaped(tmp_path):
    name = '<img src=x onerror=alert(1)>".txt'
    src = tmp_path / name
    src.write_text("投资20亿元", encoding="utf-8")
    f = _fact(name, "20亿元", "投资20亿元", "money", 20e8, "元", metric="<b>投资</b>")
    out = tmp_path / "out"
    out.mkdir()
    (out / "facts.json").write_text(json.dumps([f.to_dict()], ensure_ascii=False), encoding="utf-8")
    doc = Document(name, str(src), "utf-8", errors=['<script>alert("e")</script>'])
    (out / "documents.json").write_text(json.dumps([doc.to_dict()], ensure_ascii=False), encoding="utf-8")
    html = build_report(out, title="<i>标题</i>").read_text(encoding="utf-8")
    parsed = _parse(html)
    assert not any(t in ("img", "i") for t, _ in parsed.tags)  # (the page itself uses <b>, never <i>)
    assert "<b>投资" not in html
    assert [t for t, _ in parsed.tags].count("script") == 2
    assert parsed.marks[f"f-{f.id}"] == "20亿元"
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;.txt" in html and "&lt;i&gt;标题&lt;/i&gt;" in html
