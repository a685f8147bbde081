"""The attribution stage's shortcuts agree with the plain way of doing the same thing.

Attribution finds a figure's sentence from the text around it, scans a sentence once for all its
figures, pre-tests stretches for the words a pattern needs, runs plain word tables on the ``re``
engine and picks subjects from a per-article index. Each shortcut is checked here against the
straightforward computation it replaces, on the corpus articles and on generated text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.entities import find_mentions, subject_of
from jinlong_extract.entities.subject import ArticleSubjects
from jinlong_extract.figures import attribution as A
from jinlong_extract.figures.attribution import (
    _Scan,
    _sentence_start,
    attribute,
    required_words,
    rules,
    sentence_at,
    sentence_spans,
)
from jinlong_extract.figures.finder import find_figures
from jinlong_extract.ingest import load_bytes

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def corpus_articles() -> list[str]:
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "dev").glob("*.txt"))
    out = []
    for p in paths:
        loaded = load_bytes(p.read_bytes(), str(p))
        out += [loaded.text.text[a.start:a.end] for a in loaded.articles]
    return out


#: text made of what decides sentences, clauses, years and running totals
PIECES = ["。", "！", "？", "!", "?", "”", "’", "」", "\n", "\n\n", "，", "；", ";", "：", "、", "“", "《", "》",
          "2024年", "2019年至2021年", "以来", "今年", "去年", "今年以来", "累计", "截至", "连续3年", "三年来",
          "8月28日", "2024年12月21日", "将", "投资", "签约", "项目", "112个", "3.5亿元", "20%", "500人",
          "天津市", "甘肃省", "天津港峰门窗公司", "在", "向", "企业", "年", "来", "已落实", "前三届", " ", "a"]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join)


def _spans_at(text: str) -> list[tuple[int, int]]:
    spans = sentence_spans(text)
    out = []
    for s, e in spans:
        out += [(s, e)] * (e - s)
    return out


def test_sentence_at_on_the_corpus():
    for text in corpus_articles():
        spans = _spans_at(text)
        for pos in range(0, len(text), 7):
            assert sentence_at(text, pos) == spans[pos], (text[max(0, pos - 20):pos + 20], pos)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_sentence_at_everywhere(text):
    spans = _spans_at(text)
    for pos in range(len(text)):
        assert sentence_at(text, pos) == spans[pos], pos


@settings(max_examples=300, deadline=None)
@given(texts)
def test_sentence_start(text):
    """Walking back sentence by sentence inside a paragraph finds sentence_spans' starts."""
    for s, e in sentence_spans(text):
        if "\n" in text[s:e]:
            continue
        lo = text.rfind("\n", 0, s) + 1
        if e > lo and text[e - 1] != "\n":
            assert _sentence_start(text, lo, e) == max(lo, s), (s, e, lo)


@pytest.mark.parametrize("name", ["trigger_re", "count_verbs", "quantity_verbs", "obj_stop_re", "relative_re",
                                  "cum_neg_re", "no_inherit_re", "future_re", "time_hint_re", "later_hint_re"])
def test_word_tables_match_as_regex_would(name):
    """The plain word tables run on ``re``; the ``regex`` engine finds the same matches."""
    fast = getattr(rules(), name)
    assert isinstance(fast, re.Pattern)
    slow = regex.compile(fast.pattern)
    for text in corpus_articles():
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]


@pytest.mark.parametrize("pattern,words", [
    (r"累计|截至", {"累计", "截至"}),
    (r"[0-9一二三]+年(?:多)?来", {"年来", "年多来"}),
    (r"(?<!今)年[^，。；,;]{0,30}以来(?!.*今年)", {"以来"}),
    (r"已(?:累计)?(?:落实|投入)", {"已落实", "已投入", "已累计落实", "已累计投入"}),
    (r"连续[0-9]+(?:年|届)", {"连续"}),
    (r"ab|c[^d]e", {"ab", "c"}),
    (r"a*b", {"b"}),
    (r"a?", None),  # may match nothing
    (r"x|.y", {"x", "y"}),
    (r"x|.+", None),  # one branch needs no word
    (r"(?i)ab", None),
    (r"\p{Han}+率", None),  # not re syntax
    (r"[[:alpha:]]+年来", None),  # a set regex may read otherwise
])
def test_required_words(pattern, words):
    got = required_words(pattern)
    if words is None:
        assert got is None
    else:
        assert set(got.pattern.split("|")) == words


@pytest.mark.parametrize("name", ["cum_re", "cum_after_re"])
@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_required_words_found_wherever_the_pattern_matches(name, text):
    pattern = getattr(rules(), name)
    hint = required_words(pattern.pattern)
    assert hint is not None
    for m in pattern.finditer(text):
        assert hint.search(text, m.start(), m.end()), m


@settings(max_examples=300, deadline=None)
@given(text=texts, data=st.data())
def test_sentence_scan_within(text, data):
    """Matches kept from one scan are those a scan of the stretch alone finds, or None."""
    r = rules()
    for pattern in (r.trigger_re, r.relative_re, r.cum_re):
        if pattern is r.cum_re and r.cum_lookahead is None:
            continue
        n = len(text)
        end = data.draw(st.integers(0, n))
        scan = _Scan(pattern, text, 0, end)
        lo = data.draw(st.integers(0, end))
        hi = data.draw(st.integers(lo, end))
        got = scan.within(lo, hi)
        if got is None:
            continue
        if pattern is r.cum_re and A._lookahead_across(text, r.cum_lookahead, lo, hi, end):
            continue
        assert [scan.matches[i].span() for i in got] == [m.span() for m in pattern.finditer(text, lo, hi)]


def _subject_cases(text):
    ms = find_mentions(text)
    figs = find_figures(text)
    return ms, [(f.start, f.end, sentence_at(text, f.start)[0]) for f in figs]


def test_article_subjects_on_the_corpus():
    for text in corpus_articles():
        ms, cases = _subject_cases(text)
        index = ArticleSubjects(ms, text)
        with_marks = ArticleSubjects(ms, text)
        # every figure (with and without the sentence's clause marks), then arbitrary positions
        # (a fresh index: no reuse between unrelated calls)
        for start, end, s0 in cases:
            expected = subject_of(ms, start, end, s0, text=text)
            assert index(start, end, s0) is expected
            s1 = sentence_at(text, start)[1]
            marks = [m.start() for m in re.finditer(r"[，,；;：:]", text[:s1])  if m.start() >= s0]
            assert with_marks(start, end, s0, marks) is expected
        for start in range(0, len(text), 13):
            s0 = max(0, start - 60)
            assert ArticleSubjects(ms, text)(start, start + 1, s0) is subject_of(ms, start, start + 1, s0, text=text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_article_subjects_everywhere(text):
    ms, cases = _subject_cases(text)
    index = ArticleSubjects(ms, text)
    for start, end, s0 in cases:
        assert index(start, end, s0) is subject_of(ms, start, end, s0, text=text)


@pytest.mark.parametrize("text,date,figure,expected", [
    # a figure after ；: its scope's period word (累计 before the ；) keeps the paragraph's date away
    ("”6月24日,北京市向甘肃投入1亿元。主要签约项目推动共同发展2019年至2021年发事件,共同护航平安研考。"
     "各8月28日前三届技股份有限公司投资1亿元累计；横跨澜沧机叶片普遍长704米左右,往常运输风机叶片", "2024-07-19",
     "704米左右", {"year": None, "cumulative": True}),
    # a sentence ending in a closing quote, the next one dated from the paragraph's first
    ("2024年12月21日，大会开幕。“共签约10个项目。”现场签约项目18个。", None, "18个", {"year": 2024}),
    # a figure right after a year run into it: the year is not after the figure's clause
    ("投资20242025年项目5个，到2030年。", None, "5个", {"year": None}),
])
def test_attribution_edges(text, date, figure, expected):
    figs = find_figures(text)
    attrs = attribute(text, figs, date=date, mentions=find_mentions(text), subject_of=subject_of)
    got = [a for f, a in zip(figs, attrs) if f.text == figure]
    assert got, [f.text for f in figs]
    assert {k: getattr(got[0], k) for k in expected} == expected


def test_attribute_without_the_index_agrees():
    """A subject picker without ``for_article`` is called figure by figure, with the same answers."""
    def plain(mentions, start, end, s0, text=None):
        return subject_of(mentions, start, end, s0, text=text)

    for text in corpus_articles()[:40]:
        figs = find_figures(text)
        ms = find_mentions(text)
        fast = attribute(text, figs, mentions=ms, subject_of=subject_of)
        slow = attribute(text, figs, mentions=ms, subject_of=plain)
        assert [(a.subject, a.subject_span) for a in fast] == [(a.subject, a.subject_span) for a in slow]


@pytest.mark.parametrize("pattern,words", [
    (r"(?<!今)年[^，。；,;]{0,30}以来(?!.*今年)|累计", ("今年",)),
    (r"(?<![0-9])累计", ()),  # looking back is fine
    (r"2024(?=年)", None),
    (r"年(?![代来])", None),
    (r"累计\Z", None),
    (r"\b累计", None),
])
def test_lookahead_words(pattern, words):
    """Which patterns a sentence scan may serve for all its figures, and with which checks."""
    assert A._lookahead_words(pattern) == words
