"""Fast paths of the ingest/normalise stage agree with the straightforward code they replace.

Each reference below is the implementation as it was before the fast path (kept here, short and
obvious); the fast path must give the same answer on the real corpus/dev articles, on line
mixtures of them, and on generated text (hypothesis).
"""

from __future__ import annotations

import random
import re
from operator import ne
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.ingest import articles, dates
from jinlong_extract.ingest.decode import decode_bytes
from jinlong_extract.normalize import boilerplate, steps
from jinlong_extract.normalize.opencc_sets import CONFIGS, char_sets, derive, live_single_changes
from jinlong_extract.normalize.textmap import _apply_edits_loop, apply_edits
from jinlong_extract.options import Options

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "dev").glob("d*.txt"))
TEXTS = [p.read_text(encoding="utf-8") for p in FILES]
LINES = [line for t in TEXTS for line in t.split("\n")]


def _mixtures(n: int, seed: int, max_lines: int = 14) -> list[str]:
    rnd = random.Random(seed)
    return ["\n".join(rnd.choice(LINES) for _ in range(rnd.randint(1, max_lines))) for _ in range(n)]


def _maps(m):  # type: ignore[no-untyped-def]
    return (m.in_starts, m.in_ends, m.out_starts, m.out_ends)


# ----------------------------------------------------------------------------- script detection
def _ref_share(han: str, config: str) -> float:
    out = steps._converter(config).convert(han)
    return 0.0 if len(out) != len(han) else sum(map(ne, han, out)) / len(han)


def _ref_detect_script(text: str, sample_chars: int = 800) -> str:
    if len(text) > 4 * sample_chars:
        step = len(text) // 4
        text = "".join(text[i * step : i * step + sample_chars] for i in range(4))
    han = "".join(steps._HAN_RUN.findall(text))[: 2 * sample_chars]
    if not han:
        return "simplified"
    t = _ref_share(han, "t2s")
    if t < 0.01:
        return "simplified"
    s = _ref_share(han, "s2t")
    return "traditional" if s < 0.01 or s < t / 4 else "mixed"


def _script_cases() -> list[str]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    rnd = random.Random(5)
    cases = list(TEXTS)
    for t in TEXTS:
        lines = t.split("\n")
        for _ in range(4):  # some lines converted to traditional: simplified, mixed, traditional
            p = rnd.random()
            cases.append("\n".join(s2t.convert(x) if rnd.random() < p else x for x in lines))
        for _ in range(3):  # a few characters converted: around the 1% threshold
            p = rnd.random() * 0.06
            cases.append("".join(s2t.convert(c) if rnd.random() < p else c for c in t[:3000]))
    return cases


SCRIPT_CASES = _script_cases()


def test_script_cases_cover_every_answer() -> None:
    assert {_ref_detect_script(t) for t in SCRIPT_CASES} == {"simplified", "traditional", "mixed"}


@pytest.mark.parametrize("k", range(0, len(SCRIPT_CASES), 1))
def test_detect_script_matches_opencc_shares(k: int) -> None:
    assert steps.detect_script(SCRIPT_CASES[k]) == _ref_detect_script(SCRIPT_CASES[k])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["天津", "對口", "支援", "乾隆", "乾燥", "著名", "么", "了解", "瞭解", "臺灣", "台湾", "，", "12", "\n", "abc"]), max_size=60))
def test_detect_script_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert steps.detect_script(text) == _ref_detect_script(text)


@pytest.mark.parametrize("config", CONFIGS)
def test_char_set_bounds_hold_on_dictionary_words(config: str) -> None:
    """changed count <= count of ``changed`` characters, >= count of ``always`` characters,
    around every single-character change the live converter makes and on real sentences."""
    conv = steps._converter(config)
    sets = char_sets(config, conv)
    rnd = random.Random(3)
    pool = sorted(sets.changed)
    samples = [t[i : i + 200] for t in TEXTS for i in range(0, len(t), 200)]
    samples += ["".join(rnd.choice(pool) for _ in range(rnd.randint(1, 40))) for _ in range(400)]
    for han in samples:
        out = conv.convert(han)
        if len(out) != len(han):
            assert any(c in sets.reshaping for c in han)
            continue
        changed = sum(map(ne, han, out))
        assert sum(c in sets.always for c in han) <= changed <= sum(c in sets.changed for c in han)


@pytest.mark.parametrize("config", CONFIGS)
def test_shipped_char_sets_match_the_installed_opencc(config: str) -> None:
    """The shipped table agrees with the live converter on single characters (always
    available) and, when the wheel ships ``opencc_dict``, with the dictionaries themselves."""
    from jinlong_extract.data import load_table
    from jinlong_extract.normalize import opencc_sets

    shipped = load_table("opencc_sets")[config]
    live = live_single_changes(steps._converter(config))
    assert {c for c in live if steps._HAN_RUN.fullmatch(c)} <= set(shipped["changed"])
    assert set(shipped["always"]) <= set(live)
    _, tool = opencc_sets._opencc_dirs()
    if not Path(tool).exists():
        pytest.skip("opencc_dict not shipped with this OpenCC")
    assert derive(opencc_sets.dictionary_entries(config)) == shipped


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab天對\U00020000\U0010ffff", max_size=40), st.data())
def test_count_differences(a: str, data) -> None:  # type: ignore[no-untyped-def]
    b = data.draw(st.text(alphabet="ab天对\U00020000\U0010ffff", min_size=len(a), max_size=len(a)))
    assert steps._count_differences(a, b) == sum(map(ne, a, b))


# ----------------------------------------------------------------------------- edits and glosses
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab字\n", max_size=120), st.lists(st.tuples(st.integers(0, 120), st.integers(0, 4), st.sampled_from(["", "x", "yz"])), max_size=60))
def test_apply_edits_columns_match_the_loop(text: str, raw: list[tuple[int, int, str]]) -> None:
    edits = []
    pos = 0
    for gap, width, repl in raw:  # sorted and non-overlapping, some empty no-ops
        start = min(pos + gap % 5, len(text))
        end = min(start + width, len(text))
        edits.append((start, end, repl))
        pos = end
    a_text, a_map = apply_edits(text, edits)
    b_text, b_map = _apply_edits_loop(text, edits)
    assert a_text == b_text and _maps(a_map) == _maps(b_map)


def test_apply_edits_rejects_overlaps_like_the_loop() -> None:
    edits = [(i, i + 2, "x") for i in range(0, 80, 2)] + [(79, 81, "")]
    with pytest.raises(ValueError):
        apply_edits("字" * 100, edits)


def _ref_strip_glosses(text: str):  # type: ignore[no-untyped-def]
    return _apply_edits_loop(text, [(m.start() - 1, m.end(), text[m.start() - 1]) for m in steps._GLOSS.finditer(text)])


@pytest.mark.parametrize(
    "text",
    TEXTS + ["產(chǎn)（chǎn）品(a)", "（chǎn）產（chǎn）x產(chǎn)", "萬(wàn)" * 50 + "濱（bīn）" * 50, "(二)（一）"],
)
def test_glosses_match_one_finditer(text: str) -> None:
    a_text, a_map = steps.strip_pinyin_glosses(text)
    b_text, b_map = _ref_strip_glosses(text)
    assert a_text == b_text and _maps(a_map) == _maps(b_map)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["產", "品", "(", "（", ")", "）", "chǎn", "wàn", "a", "二", " "]), max_size=40))
def test_glosses_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    a_text, a_map = steps.strip_pinyin_glosses(text)
    b_text, b_map = _ref_strip_glosses(text)
    assert a_text == b_text and _maps(a_map) == _maps(b_map)


# ----------------------------------------------------------------------------- broken lines
def _ref_join(text: str, is_boilerplate=None):  # type: ignore[no-untyped-def]
    """join_broken_lines with the plain _BREAK scan (every break, walked back in Python)."""
    if "\n" not in text:
        return text
    edits = []
    J = steps._J
    for m in steps._BREAK.finditer(text):
        s, e = m.start(), m.end()
        nxt = text[e]
        while s > 0 and text[s - 1] in steps._HSPACE:
            s -= 1
        if s == 0:
            continue
        last = text[s - 1]
        single = m.group().count("\n") == 1
        if last == "." and nxt.isdigit() and s >= 2 and text[s - 2].isdigit() and single:
            edits.append((s, e, ""))
            continue
        if last in steps._FINAL or not steps._WORDCHAR.match(last):
            continue
        prev = text[text.rfind("\n", 0, s) + 1 : s].strip()
        if last.isdigit() and nxt in steps._NUM_CONT:
            long_prev = len(prev) >= J["min_body_chars"]
            join = (single and long_prev) if nxt.isdigit() else (single or long_prev)
        elif steps._unclosed(prev):
            join = True
        elif steps._SHORT_HEAD.match(text, e) and steps._SPACES_INSIDE.search(prev) is None:
            join = True
        else:
            join = len(prev) >= J["min_body_chars"] and steps._CLAUSE.search(prev) is not None and steps._SPACES_INSIDE.search(prev) is None
        if join and is_boilerplate is not None:
            next_end = text.find("\n", e)
            join = not (is_boilerplate(prev) or is_boilerplate(text[e : next_end if next_end >= 0 else len(text)]))
        if join:
            edits.append((s, e, ""))
    return _apply_edits_loop(text, edits)[0]


@pytest.mark.parametrize("text", TEXTS + _mixtures(300, 1))
def test_join_matches_the_plain_break_scan(text: str) -> None:
    assert steps.join_broken_lines(text, boilerplate.is_boilerplate_line)[0] == _ref_join(text, boilerplate.is_boilerplate_line)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["字", "技术", "。", "\n", "\n\n", " ", "\u3000", "\xa0", "\x1c", "1", "2", ".", "余", "(", "，", "“", "a", "!", "委、", "开发区分别与天津产业园签署合作协议"]), max_size=40))
def test_join_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert steps.join_broken_lines(text)[0] == _ref_join(text)


# ----------------------------------------------------------------------------- boilerplate
def _ref_find_boilerplate(text: str) -> list[tuple[int, int]]:
    """Every pattern as it is, the line-start ones tried at every line start."""
    ranges = []
    anchored = re.compile("|".join(f"(?:{p['re'][1:]})" for p in boilerplate._ENTRIES if p["re"].startswith("^")), re.M)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for pos in starts:
        m = anchored.match(text, pos)
        if m is not None and m.end() > pos:
            ranges.append(boilerplate._trim(text, pos, m.end()))
    for p in boilerplate._ENTRIES:
        if p["re"].startswith("^"):
            continue
        pat = re.compile(p["re"], re.M)
        pos = 0
        while (m := pat.search(text, pos)) is not None:
            s, e = m.span()
            if p.get("whole_line"):
                s = text.rfind("\n", 0, s) + 1
                nl = text.find("\n", e)
                e = len(text) if nl < 0 else nl
            ranges.append(boilerplate._trim(text, s, e))
            pos = max(e, m.end(), s + 1)
    return boilerplate.merge_ranges(ranges)


def _ref_is_boilerplate_line(line: str) -> bool:
    line = line.strip()
    return bool(line) and _ref_find_boilerplate(line) == [(0, len(line))]


BOILER_FRAGMENTS = [
    "热点", "天津", "政情", " ", "\n", "\t", "首页", ">", "版权说明", ":", "：", "关于我们", "|", "标题导航", "回到首页",
    "上一版", "下一篇", "~", "(相关资料图)", "文字", "12", "Copyright", "ICP备", "微信扫描阅读手机版", "扫码阅读手机版",
    "浏览:", "次", "评论:", "3", "条", "[收藏]", "第A1版", "下载", "客户端", "放大", "要闻 ", "新闻 ", "体育 ", "+更多",
]


@pytest.mark.parametrize("text", TEXTS + _mixtures(200, 2))
def test_boilerplate_matches_every_pattern_at_every_line(text: str) -> None:
    assert boilerplate.find_boilerplate(text) == _ref_find_boilerplate(text)
    for line in text.split("\n")[:60]:
        assert boilerplate.is_boilerplate_line(line) == _ref_is_boilerplate_line(line)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BOILER_FRAGMENTS), max_size=25))
def test_boilerplate_on_generated_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert boilerplate.find_boilerplate(text) == _ref_find_boilerplate(text)
    assert boilerplate.is_boilerplate_line(text) == _ref_is_boilerplate_line(text)
    for line in text.split("\n"):
        assert boilerplate.is_boilerplate_line(line) == _ref_is_boilerplate_line(line)


@pytest.mark.parametrize(
    "pattern, blank",
    [("热点", False), (r"(?:[^\s\d]{1,4}[ \t]+){6,}", False), (r"(?:回到首页\s*\|)?标题导航", False), (r"\s*x", True), ("[ a]", True), (r"(?:a|\t)", True), ("a?b", False), ("a? ", True), (r"[^\S]", True), (r"[^\d]", True), (r"[^\s]", False), (r"[^ \t]", False), (r"[^ ]", True), (r"[\w]", False), (r"[\W]", True)],
)
def test_starts_blank(pattern: str, blank: bool) -> None:
    assert boilerplate._starts_blank(boilerplate._sre_parse.parse(pattern))[0] is blank


@pytest.mark.parametrize(
    "pattern, literals",
    [("Copyright|版权所有", ["Copyright", "版权所有"]), ("All [Rr]ights", ["All "]), (r"扫(?:描|码)?阅读", ["扫"]), (r"(?:a|b)c", None), ("(?i)abc", None)],
)
def test_literal_prefixes(pattern: str, literals: list[str] | None) -> None:
    assert boilerplate._literal_prefixes(pattern) == literals


# ----------------------------------------------------------------------------- articles and dates
def _ref_split(text: str, boiler, doc_date):  # type: ignore[no-untyped-def]
    """split_articles reading every line and matching every byline pattern."""
    lines = [(m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]+", text)]
    lines = [ln for ln in lines if ln[2] and not articles._covered(ln[0], ln[1], boiler)]
    bylines = [i for i, ln in enumerate(lines) if any(p.match(ln[2]) for p in articles._BYLINES)]
    starts = []
    floor = 0
    for k, i in enumerate(bylines):
        if k == 0:
            starts.append((0, articles._headline_above(lines, i, 0), i))
            floor = i + 1
            continue
        h = articles._headline_above(lines, i, floor)
        if h is None:
            continue
        starts.append((lines[h][0], h, i))
        floor = i + 1
    if not starts:
        starts.append((0, None, None))
    out = []
    for n, (start, h, b) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        headline = lines[h][2] if h is not None else next(
            (
                line
                for s, _, line in lines
                if start <= s < end
                and 4 <= len(line) <= articles._A["headline_max_chars"]
                and not line.endswith("。")
                and _ref_date_in_line(line) is None
                and not any(p.match(line) for p in articles._BYLINES)
                and articles._LABEL.search(line) is None
            ),
            None,
        )
        date = None
        if b is not None:
            date = _ref_date_in_line(lines[b][2])
            bm = articles._BYLINE_DATE.search(lines[b][2])
            if date is None and bm and doc_date:
                date = articles._with_year(doc_date, int(bm["m"]), int(bm["d"]))
        if date is None and n > 0:
            date = dates.find_publication_date(text[start:end][:400]) if h is None else None
        out.append((start, end, headline, date or doc_date))
    return out


def _ref_date_in_line(line: str) -> str | None:
    for pat in dates._PATTERNS:
        m = pat.search(line)
        if m is None:
            continue
        iso = dates._iso(m["y"], m["m"], m["d"])
        if iso is None:
            continue
        rest = line[: m.start()] + " " + line[m.end() :]
        if any(label in line for label in dates._D["labels"]):
            return iso
        rest = dates._WEEKDAY.sub("", dates._TIME.sub("", rest)).strip()
        if len(rest) <= dates._D["max_rest_chars"] and dates._CLAUSE.search(rest) is None:
            return iso
        return None
    return None


@pytest.mark.parametrize("text", TEXTS + _mixtures(300, 4, max_lines=30))
def test_split_articles_matches_reading_every_line(text: str) -> None:
    for boiler in (boilerplate.find_boilerplate(text), []):
        got = [(a.start, a.end, a.headline, a.date) for a in articles.split_articles(text, boiler, "2024-12-22")]
        assert got == _ref_split(text, boiler, "2024-12-22")


@pytest.mark.parametrize("line", LINES + ["来源: 天津日报, 2020-04-20", "2021年12月20日,国家发展改革委", "07.04.2016  12:32", "时间:2023-03-06；", "19"])
def test_date_in_line_guards(line: str) -> None:
    assert dates.date_in_line(line) == _ref_date_in_line(line)


def test_date_guards_are_on_for_the_shipped_patterns() -> None:
    assert dates._YEAR_GUARD and dates._CLAUSE_GUARD


@pytest.mark.parametrize(
    "pattern, may",
    [(r"\d{1,2}[,.]", True), (r"(?<![\d.])\d{1,2}\.\d{2}", False), (r"[*-.]", True), ("a.b", True), ("[^a]", True), (r"\S", True), ("(?:x|，)", True), (r"\d+\s*年", False)],
)
def test_may_match_clause(pattern: str, may: bool) -> None:
    assert dates._may_match_clause(dates._sre_parse.parse(pattern)) is may


@pytest.mark.parametrize(
    "pattern, required",
    [(r"(?P<y>(?:19|20)\d\d)年", True), (r"(?:(?P<y>(?:19|20)\d\d))?x", False), (r"(?P<y>(?:19|20)\d\d)|x", False), (r"(?P<y>(?:19|20)\d\d)?", False), (r"\d{4}", False)],
)
def test_requires_year(pattern: str, required: bool) -> None:
    assert dates._requires_year(pattern) is required


# ----------------------------------------------------------------------------- decoding
def _ref_decode(data: bytes, options: Options = Options()) -> tuple[str, str]:
    """decode_bytes with the detector always consulted."""
    from charset_normalizer import from_bytes

    from jinlong_extract.ingest.decode import _report, codec_for

    allowed = [c for c in (codec_for(e) for e in options.encodings) if c]
    order = []
    best = from_bytes(data[:65536], cp_isolation=["utf_8", "gb18030", "big5"]).best()
    if best is not None and codec_for(best.encoding.replace("_", "-")) in allowed:
        order.append(codec_for(best.encoding.replace("_", "-")))
    order += [c for c in ("gb18030", "big5hkscs") if c in allowed and c not in order]
    for codec in order:
        if codec == "utf-8":
            continue
        try:
            return data.decode(codec), _report(codec)
        except UnicodeDecodeError:
            continue
    raise AssertionError("no strict decode: not a fast-path case")


def _one_codec_cases() -> list[tuple[int, str, bytes]]:
    """(text index, codec, bytes) where exactly one of GB18030 / Big5 decodes the bytes strictly
    and they are not UTF-8: the cases the shortcut decides without the detector."""
    cases = []
    for k, text in enumerate(TEXTS):
        for codec in ("gb18030", "big5hkscs"):
            data = text.encode(codec, errors="ignore")
            strict = []
            for c in ("gb18030", "big5hkscs", "utf-8"):
                try:
                    data.decode(c)
                    strict.append(c)
                except UnicodeDecodeError:
                    pass
            if len(strict) == 1 and b"\x00" not in data:
                cases.append((k, codec, data))
    return cases


@pytest.mark.parametrize("k, codec, data", _one_codec_cases())
def test_decode_without_detector_when_one_codec_fits(k: int, codec: str, data: bytes) -> None:
    assert decode_bytes(data, "x.txt") == _ref_decode(data)
