"""``jinlong show FILE`` and ``jinlong report DIR`` through typer's CliRunner.

``show`` is tested twice: with a stand-in for ``pipeline.process_document`` that finds a fixed
table of figures (so the rendering, article selection and error paths are checked whatever the
extractor's quality), and with the real pipeline on a corpus article once it is installed.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import jinlong_extract
from jinlong_extract.cli import report as report_cli
from jinlong_extract.cli import show as show_cli
from jinlong_extract.records import Article, Document, DocumentResult, Fact
from jinlong_extract.report.terminal import COLUMNS, render_plain, render_rich, segments

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

#: what the stand-in extractor "finds": (text, kind, value, unit, qualifier, metric)
FIGURES = [
    ("112个", "count", 112.0, "个", "exact", "签约项目数"),
    ("149.53亿元", "money", 149.53e8, "元", "exact", "投资额"),
    ("超过2000家", "count", 2000.0, "家", "min", "参会企业数"),
    ("21%", "percent", 21.0, "%", "exact", "增长"),
]
PAGE = (
    "签约112个项目 投资149.53亿元\n本报讯 签约112个项目,投资149.53亿元。\n"
    "第二篇 参会企业累计超过2000家\n本报讯 同比增长21%。<script>alert(1)</script>\n"
)


def _app() -> typer.Typer:
    app = typer.Typer()
    show_cli.register(app)
    report_cli.register(app)

    @app.callback()
    def _root() -> None:  # keep sub-command names even with few commands
        """test app"""

    return app


def fake_process_document(data, path, source="", options=None, **_):
    """Stand-in for pipeline.process_document: decodes UTF-8, finds FIGURES, splits at '第二篇'."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        doc = Document(path=path, source=source, errors=[f"{path}: undecodable bytes"], skipped=True)
        return DocumentResult(document=doc)
    cut = text.find("第二篇")
    arts = [Article(0, 0, cut, 0, cut, "签约112个项目"), Article(1, cut, len(text), cut, len(text), "第二篇")] \
        if cut > 0 else [Article(0, 0, len(text), 0, len(text))]
    facts = []
    for t, kind, value, unit, qual, metric in FIGURES:
        for m in re.finditer(re.escape(t), text):
            art = 1 if cut > 0 and m.start() >= cut else 0
            facts.append(Fact(path, art, m.start(), m.end(), t, kind, value, value, None if qual == "min" else value,
                              qual, unit, None, None, metric, None, 2024, None, None, False, ""))
    facts.sort(key=lambda f: f.start)
    doc = Document(path=path, source=source, encoding="utf-8", date=getattr(options, "default_date", None),
                   articles=len(arts), facts=len(facts))
    return DocumentResult(document=doc, facts=facts, article_meta=arts)


@pytest.fixture
def fake_pipeline(monkeypatch):
    mod = types.ModuleType("jinlong_extract.pipeline")
    mod.process_document = fake_process_document
    monkeypatch.setitem(sys.modules, "jinlong_extract.pipeline", mod)
    monkeypatch.setattr(jinlong_extract, "pipeline", mod, raising=False)
    return mod


@pytest.fixture
def page_file(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text(PAGE, encoding="utf-8")
    return p


def test_show_plain_marks_every_figure_and_tabulates_them(fake_pipeline, page_file):
    res = runner.invoke(_app(), ["show", str(page_file)])
    assert res.exit_code == 0, res.output
    text, table = res.stdout.split("\n#\t", 1)
    for t, kind, *_ in FIGURES:
        assert f"[[{t}|{kind}]]" in text
    assert "== article 1: 签约112个项目 ==" in text and "== article 2: 第二篇 ==" in text
    assert "<script>alert(1)</script>" in text  # shown as the text it is
    rows = [r.split("\t") for r in ("#\t" + table).strip().splitlines()]
    assert tuple(rows[0]) == COLUMNS
    assert [r[1] for r in rows[1:]] == ["112个", "149.53亿元", "112个", "149.53亿元", "超过2000家", "21%"]
    assert rows[5][3:7] == ["2000家 (≥ 2000家)", "家", "min", "参会企业数"]


@pytest.mark.parametrize("args,present,absent", [
    (["--article", "2"], ["[[超过2000家|count]]", "[[21%|percent]]"], ["[[112个|count]]"]),
    (["--article", "1"], ["[[112个|count]]", "[[149.53亿元|money]]"], ["超过2000家"]),
    (["--no-text"], ["#\ttext\tkind"], ["[["]),
])
def test_show_options(fake_pipeline, page_file, args, present, absent):
    res = runner.invoke(_app(), ["show", str(page_file), *args])
    assert res.exit_code == 0, res.output
    for p in present:
        assert p in res.stdout
    for a in absent:
        assert a not in res.stdout


@pytest.mark.parametrize("setup,args,message", [
    (lambda p: None, ["--article", "3"], "has 2 article(s), not 3"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00bad"), [], "undecodable bytes"),
    (lambda p: p.unlink(), [], "No such file or directory"),
])
def test_show_errors_are_one_line_with_exit_2(fake_pipeline, page_file, setup, args, message):
    setup(page_file)
    res = runner.invoke(_app(), ["show", str(page_file), *args])
    assert res.exit_code == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert res.stdout == ""


def test_show_passes_the_date_option(fake_pipeline, page_file, monkeypatch):
    seen = {}

    def spy(data, path, source="", options=None, **kw):
        seen["date"] = options.default_date
        return fake_process_document(data, path, source, options, **kw)

    monkeypatch.setattr(fake_pipeline, "process_document", spy)
    assert runner.invoke(_app(), ["show", str(page_file), "--date", "2024-07-19"]).exit_code == 0
    assert seen["date"] == "2024-07-19"


def test_rich_view_colours_figures_by_kind():
    res = fake_process_document(PAGE.encode(), "page.txt")
    console = Console(record=True, force_terminal=True, color_system="truecolor", width=100)
    render_rich(console, PAGE, res.facts, res.article_meta, title="page.txt")
    ansi = console.export_text(styles=True, clear=False)
    plain = console.export_text()
    assert "48;2;253;230;138m149.53亿元" in ansi  # money on the legend's amber
    assert "48;2;191;219;254m112个" in ansi  # count on blue
    assert "超过2000家" in plain and "签约项目数" in plain and "<script>alert(1)</script>" in plain


@pytest.mark.parametrize("original,spans,expected", [
    ("签约112个项目", [(2, 6)], [("签约", None), ("112个", "count"), ("项目", None)]),
    ("1400余万元", [(0, 7), (0, 4)], [("1400余万元", "count")]),  # nested: the outer one is coloured
    ("<p>签约<b>112个</b></p>", [(8, 12)], [("签约", None), ("112个", "count"), ("", None)]),
])
def test_segments(original, spans, expected):
    facts = [Fact("d", 0, s, e, original[s:e], "count", 1.0, 1.0, 1.0, "exact", "个", None, None, None, None, None,
                  None, None, False, "") for s, e in spans]
    got = [(t, f.kind if f else None) for t, f in segments(original, facts, html_source="<p>" in original)]
    assert got == expected


def test_render_plain_without_articles_has_no_headers():
    res = fake_process_document("投资149.53亿元".encode(), "a.txt")
    out = render_plain("投资149.53亿元", res.facts, [])
    assert out.splitlines()[0] == "投资[[149.53亿元|money]]" and "==" not in out


# --------------------------------------------------------------------------- the real pipeline


@pytest.mark.slow  # runs the whole extractor (jieba, OpenCC) on a seed article: several seconds
def test_show_on_a_corpus_article_with_the_real_pipeline():
    pipeline = pytest.importorskip("jinlong_extract.pipeline", reason="pipeline not installed yet")
    path = ROOT / "corpus" / "000_5e0a7226a9ef9ce5.txt"
    res = runner.invoke(_app(), ["show", str(path)])
    assert res.exit_code == 0, res.output
    facts = pipeline.process_document(path.read_bytes(), path.name, str(path)).facts
    assert facts, "the pipeline finds figures in the seed article"
    text, table = res.stdout.split("\n#\ttext\t", 1)
    for f in facts:
        assert f"[[{f.text}|{f.kind}]]" in text or f.text in text  # nested figures are not marked twice
    assert "[[149.53亿元|money]]" in text
    assert len(table.strip().splitlines()) == len(facts) + 1  # header remainder + one row per figure


# --------------------------------------------------------------------------- jinlong report


def test_report_command_writes_the_report(tmp_path):
    from test_report import build_sample_output

    data = build_sample_output(tmp_path)
    res = runner.invoke(_app(), ["report", str(data["out"])])
    assert res.exit_code == 0, res.output
    path = Path(res.stdout.strip())
    assert path == data["out"] / "report.html" and path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    res = runner.invoke(_app(), ["report", str(data["out"]), "--out", str(tmp_path / "r.html"), "--title", "津甘协作"])
    assert res.exit_code == 0 and "<title>津甘协作</title>" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_report_command_on_a_folder_without_facts_exits_2(tmp_path):
    res = runner.invoke(_app(), ["report", str(tmp_path)])
    assert res.exit_code == 2
    assert "facts.json: missing" in res.stderr and res.stdout == ""


@pytest.mark.parametrize("command", ["report", "show"])
def test_commands_are_registered_in_the_jinlong_app(command):
    from jinlong_extract.cli import app

    res = runner.invoke(app, [command, "--help"])
    assert res.exit_code == 0 and "unavailable" not in res.output
    assert {"report": "OUTPUT_DIR", "show": "FILE"}[command] in res.output
