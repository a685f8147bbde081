"""The numerals layer: tables of real cases, then property tests.

Lists, by where they came from:

* ``NEWS`` — numbers as written in the seed corpus and the dev articles (development list);
* ``NOT_NUMBERS`` — words with numeral characters that are not numbers (found while reading
  the corpus; the exclusion table in ``data/numerals.toml``);
* ``VALUES`` — parse_number on single numerals, from the brief and the corpus;
* ``PATTERNS`` — what the exported regex sources match on their own and inside larger patterns;
* property tests (hypothesis): parse_number never raises, to_chinese round trips up to 10**12,
  find_numbers offsets always index the text as given.

The Recognizers-Text cases (evaluation list) are in ``test_conformance_numbers.py``.
"""

from __future__ import annotations

import math

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.data import load_table
from jinlong_extract.figures import numerals
from jinlong_extract.figures.numerals import (
    DIGITS, MULTIPLIER, NUMBER, NUMERAL, Number, find_numbers, parse_number, to_chinese,
)

# ---- find_numbers on news text -------------------------------------------------------------

NEWS = [
    # (text, [(number text, value), ...])
    ("签约112个项目投资149.53亿元", [("112", 112), ("149.53亿", 14953000000)]),
    ("投资额达149.53亿元,涉及城市更新", [("149.53亿", 14953000000)]),
    ("合作总额达670.35亿元", [("670.35亿", 67035000000)]),
    ("签订框架协议1400余萬元", [("1400余萬", 14000000)]),  # qualifier + multiplier is one number
    ("共促成合作项目1600余万元", [("1600余万", 16000000)]),
    ("资金规模达1,100万元", [("1,100万", 11000000)]),
    ("總額達1.92億元", [("1.92億", 192000000)]),
    ("计划投资6.8 億元", [("6.8 億", 680000000)]),  # a space before the multiplier stays inside
    ("全年增收三点五亿元", [("三点五亿", 350000000)]),
    ("投入两千万元", [("两千万", 20000000)]),
    ("组织十多位专家", [("十", 10)]),  # 多 without a multiplier is not part of the number
    ("4500多家企业", [("4500", 4500)]),
    ("近30万消费者", [("30万", 300000)]),
    ("開展活動近百場次", [("百", 100)]),  # a bare multiplier after 近 / 上 / 超
    ("帶動上萬人增收", [("萬", 10000)]),
    ("建成超万亩基地", [("万", 10000)]),
    ("就业37.4万人次", [("37.4万", 374000)]),
    ("3.1万人和5.1万人", [("3.1万", 31000), ("5.1万", 51000)]),
    ("二十个县", [("二十", 20)]),
    ("参会企业累计超过2000家", [("2000", 2000)]),
    ("2024年07月19日 星期五", [("2024", 2024), ("07", 7), ("19", 19), ("五", 5)]),
    ("2019年至2021年", [("2019", 2019), ("2021", 2021)]),
    ("時間:2023-03-06", [("2023", 2023), ("03", 3), ("06", 6)]),  # date dashes are not minus signs
    ("打造3-5个产业集群", [("3", 3), ("5", 5)]),  # nor are range dashes
    ("同比下降-3.2%", [("-3.2", -3.2)]),
    ("减少负增长", []),
    ("二〇二四年", [("二〇二四", 2024)]),
    ("二○二三年", [("二○二三", 2023)]),  # U+25CB, what typesetters use for 〇
    ("第十五届", [("十五", 15)]),  # ordinals are the finder's business
    ("“十四五”以来", [("十四", 14), ("五", 5)]),  # so are plan names
    ("五六个村", [("五", 5), ("六", 6)]),  # an estimate: two numerals, the finder sees the pair
    ("装机容量120万千瓦", [("120万", 1200000)]),  # 千瓦 is the unit
    ("全长5千米", [("5", 5)]),
    ("风电5兆瓦", [("5", 5)]),  # mainland 兆 before 瓦 is mega, not 10**12
    ("100兆宽带", [("100", 100)]),
    ("四十九兆九千五百九十二億元", [("四十九兆九千五百九十二億", 49959200000000)]),
    ("百分之三十", [("三十", 30)]),  # 百分之 is the percent finder's
    ("百分之百", [("百", 100)]),
    ("提高到以上百分之十", [("十", 10)]),  # 上 + 百 but 百 starts 百分之
    ("占三分之一", [("三分之一", 1 / 3)]),
    ("十分之一", [("十分之一", 0.1)]),
    ("十分钟", [("十", 10)]),
    ("三万一千人", [("三万一千", 31000)]),  # contains 万一 but is a number
    ("一打开就", [("一", 1)]),  # 打开 is a verb, not a dozen
    ("2021.3.15", [("2021", 2021), ("3", 3), ("15", 15)]),  # a dotted date is not a decimal
    ("2021/3/5", [("2021", 2021), ("3", 3), ("5", 5)]),  # nor a slashed one a fraction
    ("占比1/3", [("1/3", 1 / 3)]),
    ("１２.５亿元", [("１２.５亿", 1250000000)]),  # full width: offsets into the text as given
    ("４，５６５人", [("４，５６５", 4565)]),
    ("1, 234", [("1", 1), ("234", 234)]),
    ("下午三点五十分", [("三", 3), ("五十", 50)]),  # a clock time is not a decimal
    ("20点30分", [("20", 20), ("30", 30)]),
    ("一百零几万", [("一百零几万", 1000000)]),
    ("PM2.5浓度", [("2.5", 2.5)]),
    ("www.163.com", [("163", 163)]),  # a dot after a letter is not a decimal point
    ("电话022-12345678", [("022", 22), ("12345678", 12345678)]),
    ("年过半百", [("半百", 50)]),
    ("○ 重点项目 ○ 民生工程", []),  # a circle alone is a bullet, not a zero
    ("实现零的突破", [("零", 0)]),
    ("一百〇五", [("一百〇五", 105)]),
]


@pytest.mark.parametrize("text,expected", NEWS, ids=[t for t, _ in NEWS])
def test_find_numbers_news(text: str, expected: list[tuple[str, float]]) -> None:
    found = find_numbers(text)
    assert [(n.text, n.value) for n in found] == [(t, pytest.approx(v)) for t, v in expected]
    for n in found:
        assert text[n.start:n.end] == n.text
        assert isinstance(n.value, float)


NOT_NUMBERS = [
    "一切", "我一看你就笑", "万一", "万", "万万", "四川", "我家在四川", "陆地", "登陆部队",
    "大陆", "陸續", "國際陸港", "隊伍", "退伍", "伍仁", "收拾", "放肆", "十分重要", "十足",
    "统一", "进一步", "唯一", "两两", "三三两两", "一一对应", "九九", "零售", "零部件",
    "二氧化碳", "參與", "集研发生产于一体", "一带一路", "千万不要", "千方百计", "百花齐放",
    "百分点", "陆家嘴", "壹基金",
]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_numbers(text: str) -> None:
    assert find_numbers(text) == []


def test_find_numbers_example_from_docs() -> None:
    assert find_numbers("签约112个项目投资149.53亿元") == [
        Number(2, 5, "112", 112.0), Number(10, 17, "149.53亿", 14953000000.0)]


# ---- parse_number ---------------------------------------------------------------------------

VALUES = [
    ("两百", 200), ("一千零五", 1005), ("一万二百五十", 10250), ("九万四", 94000),
    ("一千陆", 1600), ("四百五", 450), ("百三", 130), ("千三", 1300), ("四万万", 4e8),
    ("10万万", 1e9), ("拾万零五十六", 100056), ("五兆六十二亿", 5006200000000),
    ("负三十二", -32), ("-10000", -10000), ("負1.1", -1.1), ("一打", 12), ("五十打", 600),
    ("肆佰陸拾", 460), ("倆千两百贰拾二", 2222), ("4.78万亿", 4.78e12), ("一万五千亿", 1.5e12),
    ("四十五亿四千零四万", 4540040000), ("3万4000", 34000), ("5亿1万4千6百", 500014600),
    ("2千零30万", 20300000), ("25万6千", 256000), ("1千零20", 1020),
    ("7 万5 千4 百", 75400), ("一百 五 十 二", 152), ("6.8 億", 6.8e8), ("二十 億", 2e9),
    ("1400余万", 1.4e7), ("十 余 万", 1e5), ("二十几万", 2e5), ("十来万", 1e5),
    ("三点五亿", 3.5e8), ("两千万点五五四四", 20000000.5544), ("四百亿点零五零", 40000000000.05),
    ("零点五", 0.5), ("二〇二四", 2024), ("半百", 50), ("1,100.9亿", 110090000000),
    ("10,000.233", 10000.233), ("１．０７５３", 1.0753), (".5", 0.5), ("2e5", 200000),
    ("三分之一", 1 / 3), ("十一又十四分之一", 11 + 1 / 14), ("1 4/3", 1 + 4 / 3),
    ("百", 100), ("万", 10000), ("百万", 1e6),  # bare multipliers, cut from 近百 / 上万 / 近百万
    ("  149.53亿 ", 14953000000),
]


@pytest.mark.parametrize("text,value", VALUES, ids=[t for t, _ in VALUES])
def test_parse_number(text: str, value: float) -> None:
    got = parse_number(text)
    assert isinstance(got, float)
    assert got == pytest.approx(value, rel=1e-12)


NOT_ONE_NUMBER = [
    "", "   ", "abc", "四川", "万一", "1400余万元", "一 二", "两两", "十四五", "3-5", "１２ab",
    "三分之", "分之一", "元", "点五", "1e", "--9",
]


@pytest.mark.parametrize("text", NOT_ONE_NUMBER)
def test_parse_number_none(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_exact_money() -> None:
    # Decimal arithmetic: no 14953000000.000002
    assert parse_number("149.53亿") == 14953000000.0
    assert parse_number("1.92億") == 192000000.0


# ---- the exported pattern sources -------------------------------------------------------------

PATTERNS = [
    # (source name, text, fullmatches?)
    ("NUMERAL", "1400", True), ("NUMERAL", "1400余", False), ("NUMERAL", "万", False),
    ("NUMERAL", "万万", False), ("NUMERAL", "一百零", False), ("NUMERAL", "1.2万", True),
    ("NUMERAL", "149.53亿", True), ("NUMERAL", "3万4000", True), ("NUMERAL", "2千零30万", True),
    ("NUMERAL", "6.8 億", True), ("NUMERAL", "１．０７５３", True), ("NUMERAL", "1, 234", False),
    ("NUMERAL", "五十千", False), ("NUMERAL", "两两", False), ("NUMERAL", "1万亿", True),
    ("NUMERAL", "5亿1万4千6百", True), ("NUMERAL", "三点五亿", True), ("NUMERAL", "20点30", False),
    ("MULTIPLIER", "万", True), ("MULTIPLIER", "亿", True), ("MULTIPLIER", "万亿", True),
    ("MULTIPLIER", "千万", True), ("MULTIPLIER", "萬", True), ("MULTIPLIER", "億", True),
    ("MULTIPLIER", "千", False), ("MULTIPLIER", "余万", False), ("MULTIPLIER", "兆瓦", False),
    ("DIGITS", "一百零五", True), ("DIGITS", "1400万", True), ("DIGITS", "余", False),
    ("NUMBER", "1400余万", True), ("NUMBER", "负三十二", True), ("NUMBER", "-3.2", True),
    ("NUMBER", "五十打", True), ("NUMBER", "3/5", True), ("NUMBER", "2e5", True),
    ("NUMBER", "四百多", False), ("NUMBER", "三分之一", False),  # fractions are joined after the scan
]


@pytest.mark.parametrize("name,text,matches", PATTERNS, ids=[f"{n}:{t}" for n, t, _ in PATTERNS])
def test_pattern_sources(name: str, text: str, matches: bool) -> None:
    src = {"NUMERAL": NUMERAL, "MULTIPLIER": MULTIPLIER, "DIGITS": DIGITS, "NUMBER": NUMBER}[name]
    assert (regex.fullmatch(src, text) is not None) is matches


def test_numeral_composes_with_qualifier_and_multiplier() -> None:
    # the figure finder's composition: NUMERAL + qualifier + MULTIPLIER + unit
    pat = regex.compile(f"({NUMERAL})(余|多)({MULTIPLIER})元")
    m = pat.search("签订框架协议1400余万元")
    assert m is not None and m.groups() == ("1400", "余", "万")
    assert parse_number(m.group(1)) == 1400.0


def test_pattern_sources_have_no_capturing_groups() -> None:
    for src in (NUMERAL, MULTIPLIER, DIGITS, NUMBER):
        assert regex.compile(src).groups == 0


def test_exclusion_chars_cover_the_patterns() -> None:
    """Only numerals starting with one of ``exclusions.chars`` are checked: keep it complete."""
    table = load_table("numerals")["exclusions"]
    numeral_chars = set(numerals._DIGIT) | set(numerals._ZERO) | set(numerals._SMALL) | set(numerals._BIG)
    used: set[str] = set()
    for p in table["patterns"]:
        regex.compile(p)
        used |= set(regex.sub(r"\(\?<?[!=][^)]*\)", "", p)) & numeral_chars
    assert used <= set(table["chars"])


def _spell(pattern: str) -> list[str]:
    """The words a simple exclusion pattern ("[一壹]切", "四川") stands for; [] for real regexes."""
    words = [""]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "[":
            j = pattern.index("]", i)
            words = [w + x for w in words for x in pattern[i + 1:j]]
            i = j + 1
        elif c in "\\()?*+{}|.^$":
            return []
        else:
            words = [w + c for w in words]
            i += 1
    return words


@pytest.mark.parametrize("word", [w for p in load_table("numerals")["exclusions"]["patterns"] for w in _spell(p)])
def test_every_exclusion_word_is_excluded(word: str) -> None:
    assert find_numbers(word) == []


# ---- to_chinese -------------------------------------------------------------------------------

CHINESE = [
    (0, "零"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (110, "一百一十"),
    (1005, "一千零五"), (10250, "一万零二百五十"), (100000, "十万"), (40006000, "四千万六千"), (40000600, "四千万零六百"),
    (100150000, "一亿零一十五万"), (10**12, "一万亿"), (-32, "负三十二"),
]


@pytest.mark.parametrize("n,text", CHINESE)
def test_to_chinese(n: int, text: str) -> None:
    assert to_chinese(n) == text


def test_to_chinese_variants() -> None:
    assert to_chinese(2222, liang=True) == "两千两百二十二"
    assert to_chinese(460, daxie=True) == "肆佰陆拾"
    assert to_chinese(100056, daxie=True) == "壹拾万零伍拾陆"


# ---- properties -------------------------------------------------------------------------------

_NUMERAL_ALPHABET = (
    "0123456789０１２３４５６７８９.,，．-－/ 　一二三四五六七八九十百千万亿两零〇壹贰叁肆伍陆柒捌玖拾佰仟萬億兆"
    "点點负負分之又余多几打半近上元个年%％e^四川切看统陆地"
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_number_never_raises(text: str) -> None:
    v = parse_number(text)
    assert v is None or (isinstance(v, float) and math.isfinite(v))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NUMERAL_ALPHABET, max_size=30))
def test_parse_number_never_raises_on_numeral_soup(text: str) -> None:
    v = parse_number(text)
    assert v is None or (isinstance(v, float) and math.isfinite(v))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip(n: int) -> None:
    assert parse_number(to_chinese(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.booleans(), st.booleans())
def test_round_trip_variants(n: int, daxie: bool, liang: bool) -> None:
    assert parse_number(to_chinese(n, daxie=daxie, liang=liang)) == n


@pytest.mark.parametrize("n", [0, 1, 9, 10, 11, 19, 20, 99, 100, 101, 110, 1000, 1001, 1010, 10000,
                               10001, 10010, 10100, 100000, 100001, 1000000, 10**7 + 1, 10**8,
                               10**8 + 1, 10**8 + 10**4, 10**9 + 10**3, 999999999999, 10**12])
def test_round_trip_edges(n: int) -> None:
    assert parse_number(to_chinese(n)) == n
    assert parse_number(to_chinese(n, daxie=True, liang=True)) == n


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_find_numbers_any_text(text: str) -> None:
    for n in find_numbers(text):
        assert text[n.start:n.end] == n.text and math.isfinite(n.value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NUMERAL_ALPHABET, max_size=40))
def test_find_numbers_offsets(text: str) -> None:
    last = 0
    for n in find_numbers(text):
        assert text[n.start:n.end] == n.text
        assert last <= n.start < n.end
        assert isinstance(n.value, float) and math.isfinite(n.value)
        last = n.end


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NUMERAL_ALPHABET, max_size=30))
def test_found_numbers_parse_alone(text: str) -> None:
    """find and parse agree: every number found parses, on its own, to the same value."""
    for n in find_numbers(text):
        assert parse_number(n.text) == pytest.approx(n.value, rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NUMERAL_ALPHABET + "米瓦", max_size=30))
def test_numeral_matches_parse(text: str) -> None:
    """Whatever NUMERAL matches inside a larger text, parse_number gives it a value."""
    for m in regex.finditer(NUMERAL, text):
        assert parse_number(m.group()) is not None, m.group()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,-/", max_size=20))
def test_full_width_offsets_match_half_width(text: str) -> None:
    """Full-width input gives the same spans (into the given string) and values."""
    wide = text.translate(str.maketrans("0123456789.,-/", "０１２３４５６７８９．，－／"))
    half = [(n.start, n.end, n.value) for n in find_numbers(text)]
    full = [(n.start, n.end, n.value) for n in find_numbers(wide)]
    assert half == full


# ---- fast paths --------------------------------------------------------------------------------

@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789,.万亿", min_size=1, max_size=30))
def test_parse_number_fast_path_agrees_with_the_grammar(text: str) -> None:
    """The plain-Arabic fast path gives what the general parser gives, whenever it applies."""
    v = numerals._fast_value(text)
    if v is not None:
        found = find_numbers(text)
        assert len(found) == 1 and (found[0].start, found[0].end) == (0, len(text))
        assert found[0].value == v


@pytest.mark.parametrize("text,value", [("112", 112.0), ("149.53亿", 14953000000.0), ("1,100万", 11000000.0),
                                        ("1万亿", 1e12), ("10万万", 1e9), ("0", 0.0), ("1,100", 1100.0)])
def test_parse_number_fast_path_cases(text: str, value: float) -> None:
    assert numerals._fast_value(text) == value == parse_number(text)


_AROUND = st.text(alphabet="元个年月%的人,，.。、 　\t一二三四五六七八九十百千万亿两零〇点點兆米瓦近超０５aA$", max_size=4)


@settings(max_examples=500, deadline=None)
@given(_AROUND, st.from_regex(numerals.PLAIN_NUMERAL, fullmatch=True), _AROUND)
def test_plain_numeral_standing_alone_is_the_numeral(before: str, plain: str, after: str) -> None:
    """With no numeral character right before or after it, NUMERAL matches a plain numeral exactly."""
    if before[-1:] in numerals.NUMERAL_CHARS or after[:1] in numerals.NUMERAL_CHARS:
        return
    m = regex.compile(NUMERAL).match(before + plain + after, len(before))
    assert m is not None and m.group() == plain


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NUMERAL_ALPHABET + "米瓦", max_size=30))
def test_numeral_first_characters(text: str) -> None:
    for m in regex.finditer(NUMERAL, text):
        assert m.group()[0] in numerals.NUMERAL_FIRST
