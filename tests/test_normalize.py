"""Normalisation steps and the TextMap offset contract.

Cases are real snippets from corpus/ and tests/data/dev/ (file named in each row).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.normalize import (
    detect_script,
    find_boilerplate,
    fold_width,
    join_broken_lines,
    normalize,
    repair_mojibake,
    strip_pinyin_glosses,
    to_simplified,
)

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "dev").glob("d*.txt"))


# ----------------------------------------------------------------------------- (a) glosses
@pytest.mark.parametrize(
    "text, expected",
    [
        ("1400余萬(wàn)元", "1400余萬元"),  # 001
        ("特色產(chǎn)品加工", "特色產品加工"),  # 001
        ("濱(bīn)海新區(qū)", "濱海新區"),  # 001
        ("14個(gè)項(xiàng)目簽約", "14個項目簽約"),  # 001
        ("總額達(dá)1.92億元", "總額達1.92億元"),  # 001
        ("產（chǎn）品", "產品"),  # full-width brackets
        ("(二)強化協作資金支持", "(二)強化協作資金支持"),  # 003: list numbering stays
        ("本报甘肃武威电(记者 王睿)作为", "本报甘肃武威电(记者 王睿)作为"),  # 000: byline stays
        ("市委书记(甘肃)", "市委书记(甘肃)"),  # a place in brackets stays
        ("市(州)政府分管负责同志", "市(州)政府分管负责同志"),  # 004
        ("项目(a)", "项目(a)"),  # letters without a tone mark are not a gloss
        ("Cat(wàn)", "Cat(wàn)"),  # a gloss only follows a Han character
    ],
)
def test_strip_pinyin_glosses(text: str, expected: str) -> None:
    assert strip_pinyin_glosses(text)[0] == expected


# ----------------------------------------------------------------------------- (b) t2s
@pytest.mark.parametrize(
    "text, expected",
    [
        ("總額達1.92億元", "总额达1.92亿元"),  # 001
        ("長春九臺招商引資走進天津 22個項目現場簽約", "长春九台招商引资走进天津 22个项目现场签约"),  # d08
        ("天津大橋位於西藏昌都市瀾滄江", "天津大桥位于西藏昌都市澜沧江"),  # d06
        ("签约112个项目", "签约112个项目"),  # simplified text is unchanged
    ],
)
def test_to_simplified(text: str, expected: str) -> None:
    out = to_simplified(text)[0]
    assert out == expected
    assert len(out) == len(text)


@pytest.mark.parametrize(
    "name, script",
    [
        ("000_5e0a7226a9ef9ce5.txt", "simplified"),
        ("001_e74dd4a94660c86d.txt", "traditional"),
        ("003_8bb4246f31f25f4e.txt", "traditional"),
        ("004_e7fb16a6d7a4f899.txt", "simplified"),
        ("d06.txt", "traditional"),
        ("d07.txt", "traditional"),
        ("d08.txt", "traditional"),
        ("d10.txt", "traditional"),
        ("d11.txt", "simplified"),
        ("d12.txt", "simplified"),
    ],
)
def test_detect_script(name: str, script: str) -> None:
    path = next(p for p in FILES if p.name == name)
    assert detect_script(path.read_text(encoding="utf-8")) == script


def test_detect_script_mixed() -> None:
    simplified = (ROOT / "corpus" / "000_5e0a7226a9ef9ce5.txt").read_text(encoding="utf-8")[:600]
    traditional = (ROOT / "tests/data/dev/d08.txt").read_text(encoding="utf-8")[:600]
    assert detect_script(simplified + traditional) == "mixed"


# ----------------------------------------------------------------------------- (c) width
@pytest.mark.parametrize(
    "text, expected",
    [
        ("１２３", "123"),
        ("增长１２．５％", "增长12.5%"),
        ("２０２４－２０２６年", "2024-2026年"),
        ("（二）强化", "(二)强化"),  # full-width brackets fold to ASCII (documented choice)
        ("投资，签约；合作：完成！是否？", "投资，签约；合作：完成！是否？"),  # clause punctuation kept
        ("“津陇共振兴”、", "“津陇共振兴”、"),  # quotes and 、 kept
        ("\u3000\u3000本报讯", "  本报讯"),  # ideographic-space indentation
        ("ＧＤＰ增长", "GDP增长"),
    ],
)
def test_fold_width(text: str, expected: str) -> None:
    out = fold_width(text)[0]
    assert out == expected
    assert len(out) == len(text)


# ----------------------------------------------------------------------------- (d) broken lines
@pytest.mark.parametrize(
    "text, expected",
    [
        # 004: broken inside a word
        ("合作协议;现代中药创新中心、武清经济技术开发区、北辰经济技术\n\n开发区分别与天津产业园签署合作协议",
         "合作协议;现代中药创新中心、武清经济技术开发区、北辰经济技术开发区分别与天津产业园签署合作协议"),
        ("3年来,在国家部委和省\n\n委、省政府的大力支持下", "3年来,在国家部委和省委、省政府的大力支持下"),
        ("庆阳成为全国八大节点中算力增速最快、增量最大的数\n\n据中心集群。", "庆阳成为全国八大节点中算力增速最快、增量最大的数据中心集群。"),
        # 004: broken inside a number + qualifier
        ("设立专柜、培训专员,1公里内的200\n\n余家缴存单位", "设立专柜、培训专员,1公里内的200余家缴存单位"),
        # 004: broken inside a byline bracket
        ("本报兰州讯(新甘肃·甘肃\n\n日报记者 顾雨娟 通讯员 吴玉萍)近日", "本报兰州讯(新甘肃·甘肃日报记者 顾雨娟 通讯员 吴玉萍)近日"),
        # 004: headline then body: kept
        ("津甘协作步入产业合作新阶段\n\n自1996年中央确定天津市对口帮扶甘肃省以来", None),
        # 004: headline then byline: kept
        ("庆阳数据中心集群智算规模突破5万P\n\n本报庆阳讯(新甘肃·甘肃日报记者 安志鹏)", None),
        ("冬至,社区饺子暖人心\n\n新甘肃·甘肃日报记者 王君洁", None),
        # 004: byline line then body: kept
        ("新甘肃·甘肃日报记者 范海瑞\n\n天津和甘肃,虽相隔千里", None),
        # paragraph end: kept
        ("深入参与甘肃省数字化建设。\n\n产业合作寻求共赢“最大公约数”", None),
        # 002: headline with commas, then a share widget (boilerplate): kept
        ("甘肃省党政代表团来津考察:深化对接交流,加强优势互补,持续推进新时代新征程津甘协作\n\n微信扫描阅读手机版", None),
        # 001: a headline with spaces: kept
        ("搭建平臺 傳播區域品牌\n近日,青海省黃南州特色農畜產品產業園", None),
        # more than one blank line: a deliberate break
        ("数量创历史新高,投资额达\n\n\n\n149.53亿元", None),
        # a number broken after its decimal point, in a hard-wrapped body line
        ("截至目前，我市累计向甘肃投入财政援助资金64.\n5亿元，实施协作项目", "截至目前，我市累计向甘肃投入财政援助资金64.5亿元，实施协作项目"),
        ("截至目前，我市累计向甘肃投入财政援助资金1\n2.5亿元", "截至目前，我市累计向甘肃投入财政援助资金12.5亿元"),
        # digit to digit: table cells, or a dateline and a paragraph, are not one number
        ("2022\n30.8亿元\n2023\n45个", None),
        ("2024-03-05\n\n1200余家企业参与协作。", None),
        ("2024-01-08\n\n2023年，全省投入资金8.6亿元。", None),
        ("发布时间：2024年03月05日 10:21\n\n2023年，全省投入资金12.5亿元。", None),
    ],
)
def test_join_broken_lines(text: str, expected: str | None) -> None:
    from jinlong_extract.normalize import is_boilerplate_line

    assert join_broken_lines(text, is_boilerplate_line)[0] == (text if expected is None else expected)


# ----------------------------------------------------------------------------- (e) mojibake
@pytest.mark.parametrize(
    "text, starts_with, unrepaired",
    [
        ("?。ㄒ唬┙∪a業(yè)協(xié)同機制。", "（一）健", []),  # 003
        ("?。ㄒ唬┐蛟靺f(xié)作品牌。", "（一）打造", []),  # 003
        ("發(fā)展動(dòng)力?!傲硪活^”抓13個(gè)鄉(xiāng)村", "發(fā)展動(dòng)力“另一", []),  # 001
        ("?。ǘ惩óa銷渠道。", "?。ǘ惩ó", ["?。ǘ惩ó"]),  # 003: "（冻通" would be wrong: marked
        ("總投資9億元,為當?shù)匦略?00個就業(yè)機會", "總投資9億元,為當新", ["?00"]),  # 003: 500 lost its 5
    ],
)
def test_repair_mojibake(text: str, starts_with: str, unrepaired: list[str]) -> None:
    out, _, bad = repair_mojibake(text)
    assert out.startswith(starts_with)
    assert [out[s:e] for s, e in bad] == unrepaired


def test_mojibake_in_corpus_is_marked() -> None:
    text = (ROOT / "corpus" / "003_8bb4246f31f25f4e.txt").read_text(encoding="utf-8")
    tm = normalize(text)
    assert "(一)健" in tm.text and "(一)打造" in tm.text
    marked = "".join(tm.text[s:e] for s, e in tm.unrepaired)
    assert "?00" in marked  # the figure that lost its first digit yields nothing
    assert any(tm.text[s:e].startswith("?。ǘ") for s, e in tm.unrepaired)  # "(二)…" not repairable


def test_clean_text_is_untouched() -> None:
    text = "如何帮百姓在有限耕地上寻求最大收益?一道道难题摆在了援疆干部们面前。"  # d01: a real "?"
    assert repair_mojibake(text)[0] == text


# ----------------------------------------------------------------------------- TextMap
@pytest.mark.parametrize(
    "original, needle, expected_original",
    [
        ("簽訂框架協(xié)議1400余萬(wàn)元;", "1400余万元", "1400余萬(wàn)元"),  # 001
        ("共建立20棟高標(biāo)準(zhǔn)蔬菜日光溫室", "20栋", "20棟"),  # d07
        ("设立专柜、培训专员,1公里内的200\n\n余家缴存单位", "200余家", "200\n\n余家"),  # 004
        ("增长１２．５％，", "12.5%", "１２．５％"),
        ("濱(bīn)海新區(qū)", "滨海新区", "濱(bīn)海新區(qū)"),  # 001
        ("濱(bīn)海新區(qū)", "新区", "新區(qū)"),  # a gloss belongs to the character before it
        ("14個(gè)項(xiàng)目簽約", "14个", "14個(gè)"),  # 001: as the gold writes it
    ],
)
def test_to_original(original: str, needle: str, expected_original: str) -> None:
    tm = normalize(original)
    s = tm.text.index(needle)
    os_, oe = tm.to_original(s, s + len(needle))
    assert original[os_:oe] == expected_original


def test_to_original_gloss_belongs_to_its_character() -> None:
    tm = normalize("產(chǎn)品")
    assert tm.text == "产品"
    assert tm.to_original(0, 1) == (0, 7)  # 产 comes from "產(chǎn)"
    assert tm.to_original(1, 2) == (7, 8)
    assert tm.to_original(0, 2) == (0, 8)


def test_to_original_excludes_joined_breaks_at_edges() -> None:
    tm = normalize("设立专柜、培训专员,1公里内的200\n\n余家缴存单位")
    s = tm.text.index("200")
    assert tm.original[slice(*tm.to_original(s, s + 3))] == "200"  # the break after it is not taken
    assert tm.original[slice(*tm.to_original(s, s + 4))] == "200\n\n余"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_character_is_grounded(path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    tm = normalize(original)
    previous_end = 0
    for i, ch in enumerate(tm.text):
        s, e = tm.to_original(i, i + 1)
        assert 0 <= s < e <= len(original)
        assert s >= previous_end or e <= previous_end + 8  # monotone, apart from repaired runs
        previous_end = max(previous_end, e)
        if e - s == 1 and not ch.isspace():
            # one-for-one characters: the original folds to the normalised one
            assert fold_width(to_simplified(original[s:e])[0])[0] in (ch, original[s:e]) or ch == original[s:e]
    # whole text maps to a span inside the original
    s, e = tm.to_original(0, len(tm.text))
    assert 0 <= s < e <= len(original)


def test_boilerplate_ranges_on_normalised_pages() -> None:
    tm = normalize((ROOT / "corpus" / "002_1c8763f15fd8f122.txt").read_text(encoding="utf-8"))
    found = [tm.text[s:e] for s, e in find_boilerplate(tm.text)]
    assert found[0].startswith("热点  天津  政情")
    assert "微信扫描阅读手机版" in found
    assert any(f.startswith("ICP备案") for f in found)
    assert not any("4月17日至18日" in f for f in found)


@pytest.mark.parametrize(
    "line, is_boilerplate",
    [
        ("第03版:要闻 上一版3  4下一版", True),  # 000
        ("3 上一篇  下一篇 4 放大 缩小 默认", True),  # 000
        ("版权说明:天津日报报业集团所属10报2刊所有作品", True),  # 000
        ("来源:人民日报|浏览:次|评论:0条 [收藏] [评论]", False),  # d11: the source part stays
        ("扫码阅读手机版", True),  # d09
        ("Copyright (C) 2000-2024 Enorth.com.cn, Tianjin ENORTH NETNEWS Co.,LTD.All rights reserved", True),  # d09
        ("【版权及免责声明】凡本网所属版权作品,转载时须获得授权", True),  # d10
        ("首页 > 援藏 > 援藏动态", True),  # d05
        ("20项民心工程交出年中答卷~~~", False),  # 000: a headline list entry is NOT boilerplate
        ("产业协作再结硕果 签约112个项目投资149.53亿元", False),  # 000
        ("黄南报头条 盘点十年历程 总结辉煌成就 感恩制度优势 展望美好未来", False),  # d12 headline list
    ],
)
def test_boilerplate_lines(line: str, is_boilerplate: bool) -> None:
    from jinlong_extract.normalize import is_boilerplate_line

    assert is_boilerplate_line(line) is is_boilerplate


# ----------------------------------------------------------------------------- property
_PIECES = [
    "產(chǎn)", "品", "萬(wàn)", "元", "億", "１２", "３．５", "％", "（二）", "(记者 王睿)", "\n\n", "\n",
    "北辰经济技术", "开发区,", "。", "，", "天津", "濱(bīn)", "數據", "200", "余家", "項(xiàng)目",
    "\u3000", " ", "签约", "、", "“", "”",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30), st.data())
def test_to_original_property(pieces: list[str], data: st.DataObject) -> None:
    original = "".join(pieces)
    tm = normalize(original)
    if not tm.text:
        return
    s = data.draw(st.integers(0, len(tm.text) - 1))
    e = data.draw(st.integers(s + 1, len(tm.text)))
    os_, oe = tm.to_original(s, e)
    assert 0 <= os_ < oe <= len(original)
    again = normalize(original[os_:oe]).text
    strip = lambda x: "".join(x.split())  # noqa: E731 - line joining depends on context
    assert strip(tm.text[s:e]) in strip(again)


# ----------------------------------------------------------------------------- EditMap
@pytest.mark.parametrize(
    "text, edits, expected, span, original_span",
    [
        ("產(chǎn)品", [(0, 7, "產")], "產品", (0, 2), (0, 8)),
        ("200\n\n余家", [(3, 5, "")], "200余家", (0, 3), (0, 3)),
        ("200\n\n余家", [(3, 5, "")], "200余家", (2, 4), (2, 6)),
        ("&#20159;元", [(0, 8, "亿")], "亿元", (1, 2), (8, 9)),
        ("?。ㄒ唬┙", [(0, 6, "（一）健")], "（一）健", (1, 2), (0, 6)),  # inside a replacement: all of it
    ],
)
def test_edit_map(text: str, edits, expected: str, span, original_span) -> None:  # type: ignore[no-untyped-def]
    from jinlong_extract.normalize import apply_edits

    out, emap = apply_edits(text, edits)
    assert out == expected
    assert emap.span(*span) == original_span
    s, e = emap.inverse_span(*original_span)
    assert s <= span[0] and span[1] <= e  # back again covers the span


# ----------------------------------------------------------------------------- doctests
@pytest.mark.parametrize(
    "module",
    [
        "jinlong_extract.normalize",
        "jinlong_extract.normalize.steps",
        "jinlong_extract.normalize.textmap",
        "jinlong_extract.normalize.boilerplate",
        "jinlong_extract.ingest",
        "jinlong_extract.ingest.dates",
        "jinlong_extract.ingest.decode",
        "jinlong_extract.ingest.articles",
        "jinlong_extract.ingest.htmltext",
    ],
)
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
