"""Entities: the fast paths agree with the plain ones they replace.

Every fast path of the entity finders (the Aho-Corasick lexicon scan, the scan split by finder,
places read by word index with the default places counted on the way, the one-sweep overlap
checks, the inline clause start, the jieba pre-filter, the one-pass speech verbs, the follower
pre-filter, the per-article literal search) is checked here against the straightforward code it
stands for: on real articles (the seed corpus) and on generated texts (hypothesis).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.entities import _context, _crosses, _inside_any, _lexicon, _not_crossing, find_mentions
from jinlong_extract.entities import events as events_mod
from jinlong_extract.entities import gazetteer, orgs, people
from jinlong_extract.entities._trie import TrieMatcher, find_literals, literal_alternation, trie_pattern

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def _articles() -> tuple[str, ...]:
    """The seed corpus's normalised articles (what find_mentions reads)."""
    from jinlong_extract.ingest import load_bytes

    out = []
    for i, path in enumerate(sorted((ROOT / "corpus").glob("*"))):
        if path.is_file():
            loaded = load_bytes(path.read_bytes(), f"{i}.txt")
            out.extend(loaded.text.text[a.start:a.end] for a in loaded.articles)
    assert out
    return tuple(out)


_FRAGMENTS = ["甘肃", "武威", "天津市", "天津市场", "我市", "我市场", "发展和改革委员会", "有限公司", "记者 ", "王睿",
              "说", "表示", "同志", "“津陇共振兴”", "合作", "和", "2024年", "、", "，", "。", "在", "与", "《", "》",
              "市委", "省政府", "等企业", "集团", "\n", "(天水)", "(", "）", "对口", "支援", "考察了", "第五次", "推介会",
              "论坛", "“一碗饺子”", "关爱活动", "甘南州", "合作市", "产业园", "天士力", "安捷物联科技", "中心", "局长"]
_texts = st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join)


# --------------------------------------------------------------------------- literal matching
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="甘肃省武威天津市", min_size=1, max_size=4), max_size=8),
       st.text(alphabet="甘肃省武威天津市，", max_size=40))
def test_find_literals_is_literal_alternation(words: list[str], text: str) -> None:
    want = [(m.start(), m.end(), m.group()) for m in literal_alternation(words).finditer(text)] if words else []
    assert find_literals(words, text) == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="甘肃省武威天津市𠀀a", min_size=1, max_size=5), min_size=1, max_size=10),
       st.text(alphabet="甘肃省武威天津市𠀀a，", max_size=60))
def test_trie_matcher_is_the_trie_regex(words: list[str], text: str) -> None:
    """The automaton finds what the trie-shaped regex finds, position by position (offsets in
    characters, astral ones included)."""
    rx = re.compile(trie_pattern(words))
    want, pos = [], 0
    while pos < len(text):
        m = rx.match(text, pos)
        if m and m.end() > pos:
            want.append((m.start(), m.end(), m.group()))
            pos = m.end()
        else:
            pos += 1
    matcher = TrieMatcher(words)
    assert matcher.find(text) == want
    assert [matcher.words_in_order[i] for i, _, _ in matcher.find_indexes(text)] == [w for _, _, w in want]


def test_trie_matcher_keeps_the_word_order() -> None:
    m = TrieMatcher(["武威", "甘肃", "甘肃省", "武威"])
    assert m.words_in_order == ("武威", "甘肃", "甘肃省")
    assert m.find_indexes("甘肃省武威") == [(2, 0, 3), (0, 3, 5)]


# --------------------------------------------------------------------------- the lexicon scan
def _split_reference(text: str) -> tuple[list, list, list, list]:
    hits = _lexicon.scan(text)
    places = [h for h in hits if "place" in h.tags or "deictic" in h.tags]
    return (places,
            [h for h in hits if "known_org" in h.tags or "org_suffix" in h.tags],
            [h for h in hits if "event" in h.tags or "event_suffix" in h.tags],
            [h for h in hits if "title" in h.tags])


def _check_scan(text: str) -> None:
    place_items, org_lex, event_lex, people_lex = _lexicon.scan_article(text)
    places, want_orgs, want_events, want_people = _split_reference(text)
    words = _lexicon.index().words
    assert [(words[i], s, e) for i, s, e in place_items] == [(h.text, h.start, h.end) for h in places]
    assert _lexicon.place_items(places) == place_items
    assert (org_lex, event_lex, people_lex) == (want_orgs, want_events, want_people)


def test_scan_article_splits_the_scan_on_the_corpus() -> None:
    for text in _articles():
        _check_scan(text)


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_scan_article_splits_the_scan(text: str) -> None:
    _check_scan(text)


# --------------------------------------------------------------------------- places
def _default_places_reference(hits) -> dict:
    counts: dict = {}
    places: dict = {}
    for h in hits:
        p = h.place
        if p is None or p.level == "zone":
            continue
        key = ("市" if p.name.endswith("市") else "省") if p.level == "province" else p.name[-1]
        counts.setdefault(key, Counter())[p.code] += 1
        places[p.code] = p
    out = {key: places[c.most_common(1)[0][0]] for key, c in counts.items()}
    if "省" not in out and "市" in out and out["市"].level == "province":
        out["省"] = out["市"]
    return out


def _check_places(text: str) -> None:
    place_items = _lexicon.scan_article(text)[0]
    hits, defaults = gazetteer.places_and_defaults(text, place_items)
    assert hits == gazetteer.find_places(text) == gazetteer.find_places(text, _lexicon.scan(text))
    assert defaults == gazetteer.default_places(hits) == _default_places_reference(hits)


def test_places_and_defaults_on_the_corpus() -> None:
    for text in _articles():
        _check_places(text)


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_places_and_defaults(text: str) -> None:
    _check_places(text)


@pytest.mark.parametrize(("text", "want"), [
    ("天津市场监管委和天津市场", [("天津", 0, 2), ("天津", 8, 10)]),  # 天津市场 = 天津 + 市场
    ("我市场地", [("我市", 0, 2)]),
    ("天津市委", [("天津市", 0, 3)]),
    ("甘肃省天水市场", [("甘肃省", 0, 3), ("天水", 3, 5)]),
])
def test_place_cut_before_market(text: str, want: list) -> None:
    assert [(h.text, h.start, h.end) for h in gazetteer.find_places(text)] == want


# --------------------------------------------------------------------------- overlaps
_spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6)), max_size=12)


def _disjoint(raw: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, n in sorted(raw):
        if not out or s >= out[-1][1]:
            out.append((s, s + n))
    return out


class _Span:
    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end


@settings(max_examples=500, deadline=None)
@given(_spans, _spans, _spans)
def test_not_crossing_is_crosses_place_by_place(places: list, taken: list, titles: list) -> None:
    ps = [_Span(s, e) for s, e in _disjoint(places)]
    tk, tt = _disjoint(taken), _disjoint(titles)
    want = [p for p in ps if not _crosses(tk, p.start, p.end) and not _inside_any(tt, p.start, p.end)]
    assert _not_crossing(ps, tk, tt) == want
    shuffled = ps[::-1]  # not left to right: the span-by-span fallback
    assert _not_crossing(shuffled, tk, tt) == [p for p in shuffled if p in want]


# --------------------------------------------------------------------------- name starts
_PUNCT_RX = re.compile("[" + re.escape(_context._PUNCT.replace("·", "")) + "]")


def _clause_start_reference(text: str, end: int, floor: int = 0, lists: bool = False) -> int:
    lo = max(floor, end - (_context.WINDOW * 2 if lists else _context.WINDOW))
    window = text[lo:end]
    masked = _context._PAREN_GROUP.sub(lambda m: "甲" * len(m.group()), window)
    last = -1
    punct = _context._PUNCT_NO_LIST_RX if lists else _context._PUNCT_RX
    for m in punct.finditer(masked):
        last = m.end()
    for m in _context._LONE_PAREN.finditer(masked):
        last = max(last, m.end())
    return lo + last if last >= 0 else lo


def _name_start_reference(text: str, end: int, floor: int = 0, is_name_start=None) -> int:
    """name_start as it was: clause start, every boundary word, jieba on every long rest."""
    rules = _context._rules()
    cs = _clause_start_reference(text, end, floor)
    if cs >= end:
        return end
    start = cs
    for m in rules["scan"].finditer(text, cs, end):
        tok = m.group()
        if tok in rules["exceptions"]:
            continue
        if tok in rules["conditional"]:
            if is_name_start is not None and is_name_start(m.end()):
                start = m.end()
            continue
        start = m.end()
    if end - start > _context.JIEBA_REFINE_LEN:
        pos = start0 = start
        for tok in _context._cut(text[start0:end]):
            pos += len(tok)
            if tok in rules["boundary"] or _context._HAS_DIGIT.search(tok):
                start = max(start, pos)
            elif tok in rules["conditional"] and is_name_start is not None and is_name_start(pos):
                start = max(start, pos)
    while start < end and text[start] in _context._AFTER_NUMBER and start > 0 and _context._HAS_DIGIT.match(text[start - 1]):
        start += 1
    return start


_CLAUSE_FRAGMENTS = ["戈耳电梯", "(天水)", "(天水", "天水)", "（", "）", "有限公司", "，", "、", "。", "甘肃", "和", "与",
                     "在", "对口", "支援", "考察了", "2025年", "第十五届", "数据", "中心", "·", "甲乙丙丁戊己庚辛壬癸"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CLAUSE_FRAGMENTS), min_size=1, max_size=16).map("".join),
       st.booleans(), st.integers(0, 8))
def test_clause_start_is_the_masked_scan(text: str, lists: bool, floor: int) -> None:
    for end in range(len(text) + 1):
        assert _context.clause_start(text, end, floor, lists) == _clause_start_reference(text, end, floor, lists)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_CLAUSE_FRAGMENTS), min_size=1, max_size=14).map("".join), st.integers(0, 6))
def test_name_start_is_the_plain_one(text: str, floor: int) -> None:
    starts = {i for i in range(len(text)) if text.startswith(("甘肃", "天水"), i)}
    for end in range(1, len(text) + 1):
        for cb in (None, starts.__contains__):
            assert _context.name_start(text, end, floor, cb) == _name_start_reference(text, end, floor, cb)


def test_name_start_on_the_corpus_is_the_plain_one() -> None:
    for text in _articles():
        for m in re.finditer("有限公司|集团|中心|推介会|委员会|局", text):
            assert _context.name_start(text, m.start()) == _name_start_reference(text, m.start())


@pytest.mark.parametrize("span", ["天津市对口支援新疆工作前方", "甘肃中药材和地方特色食品检测研发", "天水经济技术开发区管理委员",
                                  "甘肃天水秦安县乾嘉产业运营服务", "水平均衡发展示范区建设工作", "2025全国硕士研究生招生"])
def test_jieba_prefilter_agrees(span: str) -> None:
    """Skipping jieba where no boundary word, digit or 和-before-a-name is in the span changes nothing."""
    text = "，" + span
    for cb in (None, lambda off: text.startswith("地方", off)):
        got = _context._jieba_start(text, 1, len(text), cb)
        rules = _context._rules()
        pos = want = 1
        for tok in _context._cut(span):
            pos += len(tok)
            if tok in rules["boundary"] or _context._HAS_DIGIT.search(tok):
                want = pos
            elif tok in rules["conditional"] and cb is not None and cb(pos):
                want = pos
        assert got == want


def test_a_text_that_needs_no_jieba_does_not_load_it() -> None:
    code = ("import sys; from jinlong_extract.entities import find_mentions; "
            "ms = find_mentions('市委书记陈敏尔说,天津安捷物联科技股份有限公司在甘肃武威投资。安捷物联表示'); "
            "assert ms; print('jieba' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- people, events, orgs
def _verbs_and_honorifics_reference(text: str) -> list[tuple[int, str]]:
    r = people.rules()
    return ([(m.start(), "v") for m in r["verbs"].finditer(text)]
            + [(m.start(), "a") for m in r["after"].finditer(text)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["说", "说道", "回忆说", "表示", "同志", "总书记", "王睿", "陈敏尔", "，", "介绍说", "介绍"]),
                max_size=20).map("".join))
def test_speech_verbs_and_honorifics_in_one_pass(text: str) -> None:
    r = people.rules()
    both = r["verbs_or_after"]
    assert both is not None  # the table's verbs and honorifics share no character
    got = [(m.start(), "v" if m.group() in r["verb_words"] else "a") for m in both.finditer(text)]
    want = _verbs_and_honorifics_reference(text)
    assert [g for g in got if g[1] == "v"] == [w for w in want if w[1] == "v"]
    assert [g for g in got if g[1] == "a"] == [w for w in want if w[1] == "a"]


def test_verbs_sharing_a_character_fall_back_to_two_passes() -> None:
    assert people._verbs_or_after(["说", "说道"], ["同志"]) is not None
    assert people._verbs_or_after(["说", "同意"], ["同志"]) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["活动", "主题活动", "关爱", "大会", "论坛", "冬至节", "甲", "，", "a"]), max_size=8).map("".join))
def test_follower_prefilter_never_drops_a_follower(tail: str) -> None:
    r = events_mod.rules()
    text = "”" + tail
    if r["follower_rx"].match(text, 1) is not None:
        assert r["follower_any"].search(text, 1, 1 + r["follower_reach"]) is not None


def _strip_legal_reference(core: str) -> str:
    changed = True
    while changed:
        changed = False
        for suf in orgs.rules()["legal"]:
            if core.endswith(suf) and len(core) - len(suf) >= 2:
                core = core[: -len(suf)]
                changed = True
                break
    return core


@pytest.mark.parametrize("name", ["天津智慧城市研究院有限公司", "天士力控股集团有限公司", "天津港(集团)有限公司", "甘肃日报",
                                  "公司", "集团公司", "安捷物联科技股份有限公司", "中国华电集团"])
def test_strip_legal_quick_reject(name: str) -> None:
    assert orgs.strip_legal(name) == _strip_legal_reference(name)


def test_canonical_org_cache_keeps_place_dependence() -> None:
    """The cached part of canonical_org is per name; the place part still reads the article."""
    ms = find_mentions("甘肃日报讯 省工信厅与天津市工信局座谈。")
    canon = {m.text: m.canonical for m in ms if m.type == "ORG"}
    assert canon["省工信厅"] == "甘肃省工业和信息化厅"
    ms = find_mentions("天津日报讯 市工信局表示。")
    assert {m.text: m.canonical for m in ms if m.type == "ORG"}["市工信局"] == "天津市工业和信息化局"


# --------------------------------------------------------------------------- end to end
@settings(max_examples=150, deadline=None)
@given(_texts)
def test_mentions_are_sorted_and_grounded(text: str) -> None:
    ms = find_mentions(text, doc="d", article=1)
    assert [m.start for m in ms] == sorted(m.start for m in ms)
    assert all(text[m.start:m.end] == m.text and (m.doc, m.article) == ("d", 1) for m in ms)


def test_bisect_helpers_match_linear_scans() -> None:
    spans = [(0, 3), (5, 9), (12, 14)]
    for s in range(16):
        for e in range(s + 1, 17):
            overlaps = any(a < e and s < b for a, b in spans)
            i = bisect_left(spans, (s, s))
            got = (i < len(spans) and spans[i][0] < e) or (i > 0 and spans[i - 1][1] > s)
            assert got == overlaps


def test_the_tokenizer_loads_jiebas_own_dictionary() -> None:
    """The private tokenizer reads jieba's cache whole (``_WholeFileMarshal``): its prefix dict is
    the one jieba's own loading gives, plus the entity words it adds, and jieba's module is left
    as it was."""
    import marshal

    import jieba

    ours = _context.tokenizer()
    plain = jieba.Tokenizer()
    plain.initialize()
    assert jieba.marshal is marshal
    changed = {w for w, f in ours.FREQ.items() if plain.FREQ.get(w) != f}
    assert plain.FREQ.keys() <= ours.FREQ.keys()
    assert 0 < len(changed) < 5000  # the words from data/entities.toml and their prefixes
    assert all(ours.FREQ[w] >= 1000 or any(v.startswith(w) for v in changed if ours.FREQ[v]) for w in changed)
    assert ours.total > plain.total  # (jieba's add_word adds each new frequency to the total)


def test_jieba_loads_without_pkg_resources() -> None:
    """jieba imports pkg_resources only to open its data files (0.13 s); the tokenizer loads it
    without, and leaves the module importable for anyone else (a fresh interpreter: this one may
    have loaded both already)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from jinlong_extract.entities._context import _cut\n"
        "print('|'.join(_cut('甘肃省党政代表团考察了天士力控股集团有限公司')))\n"
        "assert 'pkg_resources' not in sys.modules and 'jieba' in sys.modules\n"
        "import pkg_resources\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", check=True)
    assert out.stdout.strip() == "甘肃省|党政|代表团|考察|了|天士力控股集团有限公司"
