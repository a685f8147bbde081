"""Ingest: discovery, reading, decoding, HTML, article splitting, bad input.

Encoding fixtures are made here from real corpus/dev articles (GB18030 and Big5 with and
without a declared charset, UTF-8 with a BOM, UTF-16 with a BOM) and must decode to the exact
original text. The HTML page is tests/data/ingest/page.html.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract import extract_text
from jinlong_extract.errors import InputError
from jinlong_extract.ingest import discover, load_bytes, load_text, read_source
from jinlong_extract.ingest.decode import codec_for, decode_bytes
from jinlong_extract.ingest.htmltext import looks_like_html, strip_html
from jinlong_extract.normalize import TextMap
from jinlong_extract.options import MAX_LINE_CHARS, Options

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DEV = ROOT / "tests" / "data" / "dev"
FIXTURES = ROOT / "tests" / "data" / "ingest"
SIMPLIFIED = (CORPUS / "000_5e0a7226a9ef9ce5.txt").read_text(encoding="utf-8")
TRADITIONAL = (DEV / "d06.txt").read_text(encoding="utf-8")  # every character exists in Big5


def _big5_lines(path: Path) -> str:
    """The lines of a traditional article that plain Big5 can encode (恒 is HKSCS-only)."""
    keep = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        try:
            line.encode("big5")
        except UnicodeEncodeError:
            continue
        keep.append(line)
    return "\n".join(keep)


TRADITIONAL_LONG = _big5_lines(DEV / "d08.txt")


def _html(body: str, charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>t</title></head><body><div>{body}</div></body></html>"


# ----------------------------------------------------------------------------- decoding
@pytest.mark.parametrize(
    "text, data_of, encoding",
    [
        (SIMPLIFIED, lambda t: t.encode("utf-8"), "utf-8"),
        (SIMPLIFIED, lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),  # UTF-8 with BOM
        (SIMPLIFIED, lambda t: t.encode("utf-16"), "utf-16"),  # UTF-16 with BOM
        (SIMPLIFIED, lambda t: t.encode("gb18030"), "gb18030"),  # GB18030, detected
        ((DEV / "d09.txt").read_text(encoding="utf-8"), lambda t: t.encode("gbk"), "gb18030"),  # GBK read as GB18030
        (TRADITIONAL, lambda t: t.encode("big5"), "big5"),  # Big5, detected
        (TRADITIONAL_LONG, lambda t: t.encode("big5"), "big5"),
        (TRADITIONAL_LONG, lambda t: t.encode("gb18030"), "gb18030"),  # traditional text in GB18030
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "gb18030", "gbk", "big5-d06", "big5-d08", "gb18030-trad"],
)
def test_decode_plain_text(text: str, data_of, encoding: str) -> None:  # type: ignore[no-untyped-def]
    data = data_of(text)
    decoded, used = decode_bytes(data, "x.txt")
    assert used == encoding
    assert decoded == text
    assert data.decode(used) == text  # what a user decoding with the reported name gets: offsets hold there
    assert load_bytes(data, "x.txt").text.original == text


@pytest.mark.parametrize(
    "text, charset, codec, encoding",
    [
        (SIMPLIFIED, "gb2312", "gb18030", "gb18030"),
        (SIMPLIFIED, "GBK", "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5", "big5"),
        (TRADITIONAL_LONG, "big5", "big5", "big5"),
        (SIMPLIFIED, None, "gb18030", "gb18030"),
    ],
)
def test_decode_html_with_and_without_declared_charset(text: str, charset: str | None, codec: str, encoding: str) -> None:
    page = _html(text, charset)
    decoded, used = decode_bytes(page.encode(codec), "x.html")
    assert (decoded, used) == (page, encoding)


def test_declared_charset_line_in_plain_text() -> None:
    text = "charset=big5\n" + TRADITIONAL
    assert decode_bytes(text.encode("big5"), "x.txt") == (text, "big5")


@pytest.mark.parametrize(
    "name, codec",
    [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("GB18030", "gb18030"), ("Big5", "big5hkscs"), ("UTF-8", "utf-8"), ("latin-1", None), ("shift_jis", None)],
)
def test_codec_for(name: str, codec: str | None) -> None:
    assert codec_for(name) == codec


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b" \n\t\r\n  ", "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary file"),
        (b"\x00\x01\x02" * 100, "binary file"),
        ("天津".encode("utf-8") + b"\x01\x02\x03\x04\x05\x06" * 50, "binary file"),
        (bytes(range(0x80, 0x100)) * 50, "undecodable"),
        (b"\xef\xbb\xbf" + b"\xff\xfe\xfd" * 10, "not valid utf-8 after its byte-order mark"),
        (b"a" * (MAX_LINE_CHARS + 1), "a line of"),
    ],
    ids=["empty", "whitespace", "png", "nul", "control", "undecodable", "bad-bom", "long-line"],
)
def test_bad_input_raises_input_error(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as info:
        load_bytes(data, "bad.txt")
    message = str(info.value)
    assert message.startswith("bad.txt: ")
    assert reason in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "data, encoding, figure",
    [
        # one broken byte does not lose a UTF-8 article (it was "undecodable" as a whole)
        (SIMPLIFIED.encode("utf-8") + b"\x80", "utf-8", None),
        ("京蒙协作".encode("utf-8") + b"\xe4\xb8" + "\n安排协作资金21.7亿元。".encode("utf-8"), "utf-8", "21.7亿元"),
        # a short brief with one replacement character is not binary
        ("京蒙协作\ufffd\n安排协作资金21.7亿元。".encode("utf-8"), "utf-8", "21.7亿元"),
    ],
    ids=["utf8-bad-byte", "utf8-cut-character", "short-replacement"],
)
def test_a_few_broken_bytes_are_read(data: bytes, encoding: str, figure: str | None) -> None:
    loaded = load_bytes(data, "x.txt")
    assert loaded.document.encoding == encoding
    if figure is not None:
        assert figure in [f.text for f in extract_text(loaded.text.original)]


def test_too_large_is_refused_before_decoding() -> None:
    with pytest.raises(InputError, match="too large"):
        load_bytes("天津".encode("utf-8") * 100, "big.txt", options=Options(max_bytes=100))


def test_fifty_megabyte_single_line_is_refused_quickly() -> None:
    data = b"a" * (50 * 1024 * 1024 + 1)
    with pytest.raises(InputError, match="too large"):
        load_bytes(data, "huge.txt")


def _fifo(p: Path) -> Path:
    os.mkfifo(p / "pipe.txt")
    return p / "pipe.txt"


def _device_link(p: Path) -> Path:
    (p / "zero.txt").symlink_to("/dev/zero")
    return p / "zero.txt"


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="POSIX special files")
@pytest.mark.parametrize("make", [_fifo, _device_link], ids=["fifo", "device-link"])
def test_special_files_are_refused_not_read(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    # a pipe would block the run for ever, /dev/zero would fill memory
    with pytest.raises(InputError, match="not a regular file"):
        read_source(str(make(tmp_path)))


@pytest.mark.parametrize("make, reason", [(lambda p: p / "missing.txt", "no such file"), (lambda p: p, "is a folder")])
def test_read_source_errors(tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=reason):
        read_source(str(make(tmp_path)))


def test_read_source_too_large(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"x" * 200)
    with pytest.raises(InputError, match="too large"):
        read_source(str(p), max_bytes=100)


def test_read_source_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SIMPLIFIED.encode("gb18030"))))
    assert read_source("-") == SIMPLIFIED.encode("gb18030")


# ----------------------------------------------------------------------------- discovery
def test_discover(tmp_path: Path) -> None:
    for rel in ["b/z.txt", "b/a.md", "a.html", "c.htm", "d.pdf", ".hidden.txt", ".git/x.txt", "b/.h/y.txt", "e.TXT"]:
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("天津", encoding="utf-8")
    found = list(discover([str(tmp_path)]))
    assert [d for d, _ in found] == ["a.html", "b/a.md", "b/z.txt", "c.htm", "e.TXT"]
    assert all(Path(s).is_absolute() and Path(s).exists() for _, s in found)
    assert [d for d, _ in discover([str(tmp_path / "b" / "*.txt")])] == ["z.txt"]
    assert list(discover(["-"])) == [("-", "-")]
    missing = str(tmp_path / "nope.txt")
    assert list(discover([missing])) == [(missing, missing)]  # yielded: read_source reports it
    assert [d for d, _ in discover([str(tmp_path / "a.html")])] == ["a.html"]
    assert list(discover(["https://example.com/news/2020/a.html"])) == [("a.html", "https://example.com/news/2020/a.html")]


# ----------------------------------------------------------------------------- HTML
PAGE = (FIXTURES / "page.html").read_text(encoding="utf-8")


def test_html_main_text_without_navigation() -> None:
    loaded = load_bytes(PAGE.encode("utf-8"), "page.html")
    text = loaded.text.text
    assert "112个项目现场签约,投资额达149.53亿元。" in text
    assert "R&D投入 10亿元" in text
    for absent in ["热点", "首页", "9999个", "99个", "888个", "5000次", "Copyright", "022-23601772", "margin"]:
        assert absent not in text
    assert loaded.document.date == "2024-07-19"  # from the page metadata
    assert loaded.articles[0].headline == "产业协作再结硕果 签约112个项目投资149.53亿元"


@pytest.mark.parametrize(
    "needle, original",
    [
        ("投资额达149.53亿元", "投资额达149.53&#20159;元"),  # a numeric reference maps to its source span
        ("R&D", "R&amp;D"),
        ("投入 10亿元", "投入&nbsp;10亿元"),
        ("2000家", "2000家"),
    ],
)
def test_html_offsets_point_into_the_original_html(needle: str, original: str) -> None:
    loaded = load_bytes(PAGE.encode("utf-8"), "page.html")
    tm = loaded.text
    s = tm.text.index(needle)
    os_, oe = tm.to_original(s, s + len(needle))
    assert tm.original == PAGE
    assert PAGE[os_:oe] == original


def test_html_every_character_is_grounded() -> None:
    tm = load_bytes(PAGE.encode("utf-8"), "page.html").text
    for i, ch in enumerate(tm.text):
        s, e = tm.to_original(i, i + 1)
        assert 0 <= s < e <= len(PAGE)
        if ch.isalnum() and e - s == 1:
            assert PAGE[s] == ch


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>签约<b>112</b>个</p>", "签约112个"),
        ("<p>一</p><p>二</p>", "一\n二"),
        ("<div>甲<br>乙</div>", "甲\n乙"),
        ("<p>甲</p>\n\n   <p>乙</p>", "甲\n乙"),
        ("<p>A &lt; B &gt; C</p>", "A < B > C"),
        ("<p>&#x4E07;元 &unknown; 元</p>", "万元 &unknown; 元"),
        ('<div class="main nav-bar">导航</div><p>正文</p>', "正文"),
        ('<div id="footer"><div>版权</div>所有</div><p>正文</p>', "正文"),
        ("<script>if (a<b) {}</script><p>正文</p>", "正文"),
        ("<p>正文<!-- <p>99个</p> --></p>", "正文"),
        ("<p>未闭合<nav>菜单", "未闭合"),
    ],
)
def test_strip_html(html: str, expected: str) -> None:
    text, maps = strip_html(html)
    assert text == expected


def test_html_detection_without_extension() -> None:
    assert looks_like_html(PAGE)
    assert not looks_like_html(SIMPLIFIED)
    loaded = load_bytes(PAGE.encode("utf-8"), "page.txt")
    assert "热点" not in loaded.text.text


# ----------------------------------------------------------------------------- articles
NEWSPAPER_HEADLINES = [
    "携手共赴新型工业化",
    "庆阳数据中心集群智算规模突破5万P",
    "我省确保农村水体「长治久清」",
    "连霍高速酒泉经开区出入口建成通车",
    "近日,民乐县金山小学开展“温暖冬至 饺子飘香”活动。",  # a photo with its caption
    "冬至,社区饺子暖人心",
    "我省2025年全国硕士研究生招生考试开考",
    "“甘味”品牌斩获中国区域农业品牌形象影响力指数“四连冠”",
    "阿克塞外贸出口实现零的突破",
    "省直住房公积金延伸服务点揭牌运营",
]


def test_newspaper_page_is_split_into_articles() -> None:
    path = CORPUS / "004_e7fb16a6d7a4f899.txt"
    loaded = load_bytes(path.read_bytes(), path.name)
    arts = loaded.articles
    assert [a.headline for a in arts][: len(NEWSPAPER_HEADLINES)] == NEWSPAPER_HEADLINES
    assert loaded.document.articles == len(arts)
    text, original = loaded.text.text, loaded.text.original
    assert arts[0].start == 0 and arts[-1].end == len(text)
    for a, b in zip(arts, arts[1:]):
        assert a.end == b.start and a.orig_end <= b.orig_start
    for a in arts:
        assert text[a.start : a.end].strip().startswith(a.headline)
        assert original[a.orig_start : a.orig_end].strip().startswith(a.headline[:4])
    second = text[arts[1].start : arts[1].end]
    assert "3.1万个" in second and "5.1万P" in second and "64.5亿元" not in second


def test_article_date_from_byline_month_day() -> None:
    path = CORPUS / "004_e7fb16a6d7a4f899.txt"
    loaded = load_bytes(path.read_bytes(), path.name, options=Options(default_date="2024-12-22"))
    exam = next(a for a in loaded.articles if a.headline == "我省2025年全国硕士研究生招生考试开考")
    assert exam.date == "2024-12-21"  # 本报兰州12月21日讯
    assert loaded.articles[0].date == "2024-12-22"


@pytest.mark.parametrize(
    "name, headline",
    [
        ("000_5e0a7226a9ef9ce5.txt", "产业协作再结硕果 签约112个项目投资149.53亿元"),
        ("002_1c8763f15fd8f122.txt", "甘肃省党政代表团来津考察:深化对接交流,加强优势互补,持续推进新时代新征程津甘协作"),
        ("d01.txt", "津和相拥情意深"),
        ("d02.txt", "入疆一年交出亮眼成绩单 天津市持续提升对口援疆综合效益"),
        ("d09.txt", "16.2亿元 津陕协作资金支持重点项目286个"),
        ("d11.txt", "天津产业援疆“三效合一”:茫茫戈壁 产业富民"),
    ],
)
def test_single_article_pages(name: str, headline: str) -> None:
    path = CORPUS / name if name[0].isdigit() else DEV / name
    loaded = load_bytes(path.read_bytes(), name)
    assert len(loaded.articles) == 1
    assert loaded.articles[0].headline == headline
    a = loaded.articles[0]
    assert (a.start, a.end) == (0, len(loaded.text.text))


def test_boilerplate_and_unrepaired_ranges_reach_the_article() -> None:
    loaded = load_bytes((CORPUS / "000_5e0a7226a9ef9ce5.txt").read_bytes(), "000.txt")
    text = loaded.text.text
    ranges = [text[s:e] for s, e in loaded.articles[0].boilerplate]
    assert any(r.startswith("版权说明") for r in ranges)
    assert not any("20项民心工程" in r for r in ranges)  # the headline list is not boilerplate
    loaded = load_bytes((CORPUS / "003_8bb4246f31f25f4e.txt").read_bytes(), "003.txt")
    text = loaded.text.text
    assert any("?00" in text[s:e] for s, e in loaded.articles[0].boilerplate)


def test_document_record() -> None:
    data = (DEV / "d08.txt").read_bytes()
    doc = load_bytes(data, "d08.txt", source="/x/d08.txt").document
    assert (doc.path, doc.source, doc.encoding, doc.script, doc.date, doc.articles) == (
        "d08.txt", "/x/d08.txt", "utf-8", "traditional", "2016-11-30", 1,
    )
    assert doc.size == len(data) and len(doc.sha256) == 64


def test_load_text_and_options() -> None:
    text = "1400余萬(wàn)元"
    assert load_text(text, doc_date="2023-05-01").document.date == "2023-05-01"
    kept = load_text(text, options=Options(to_simplified=False)).text.text
    assert kept == "1400余萬元"


# ----------------------------------------------------------------------------- property
_HTML_PIECES = [
    "<p>", "</p>", "<div class='nav'>", "</div>", "<br>", "<b>", "</b>", "&nbsp;", "&amp;", "&#20159;", "&#x4E07;",
    "签约", "112个", "项目", "149.53", "元", "，", "。", " ", "\n", "<!-- 99个 -->", "<script>var a = '<p>1个</p>';</script>",
    "<nav>热点 天津</nav>", "<img src='a.png'/>", "R&D", "<", ">",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_HTML_PIECES), min_size=1, max_size=40))
def test_strip_html_is_grounded(pieces: list[str]) -> None:
    html = "".join(pieces)
    text, maps = strip_html(html)
    tm = TextMap(html, text, maps)
    for i, ch in enumerate(text):
        s, e = tm.to_original(i, i + 1)
        assert 0 <= s < e <= len(html)
        if e - s == 1 and ch not in " \n":
            assert html[s] == ch  # a copied character maps to itself
    assert "热点" not in text and "99个" not in text and "1个" not in text
