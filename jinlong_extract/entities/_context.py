"""Where does a name that ends at a suffix start? Shared by organisations, parks and events.

Names are found from their end (``…有限公司``, ``…推介会``); the start is the clause start
(punctuation) moved right past the last *boundary token* (``与``, ``在``, ``了``, ``考察`` …,
``data/entities.toml`` ``[orgs].boundary_tokens``). Tokens come from jieba (lazy, a private
tokenizer, HMM off) run on that short clause only — never on a whole document — so that a
boundary character inside a word (``所在地``, ``和平``) is not taken for a boundary. jieba is
asked only when its tokens could move the start (the clause holds a boundary word, a digit, or
和 before a name): most articles never load it.
"""

from __future__ import annotations

import marshal
import re
import sys
from functools import lru_cache
from typing import Any

from jinlong_extract.data import load_table

#: characters that end a clause for name finding (names never span them); ``(``/``)`` are
#: handled apart because registered names contain short bracketed places: 戈耳电梯(天水)有限公司
_PUNCT = "，,。；;：:！!？?、“”\"‘’'《》〈〉【】[]{}|…—\n\r\t 　·•～~/\\-"
_PUNCT_RX = re.compile("[" + re.escape(_PUNCT.replace("·", "")) + "]")
_PUNCT_NO_LIST_RX = re.compile("[" + re.escape(_PUNCT.replace("·", "").replace("、", "")) + "]")
#: the last clause punctuation of a span: ``match(text, lo, end).end()`` is just after it
_LAST_PUNCT_RX = re.compile("(?s:.*)[" + re.escape(_PUNCT.replace("·", "")) + "]")
_LAST_PUNCT_NO_LIST_RX = re.compile("(?s:.*)[" + re.escape(_PUNCT.replace("·", "").replace("、", "")) + "]")
_PAREN_GROUP = re.compile(r"\([\u4e00-\u9fff]{2,4}\)")
_LONE_PAREN = re.compile(r"[()（）]")
_HAS_DIGIT = re.compile(r"[0-9０-９]")
_DIGITS = "0123456789０１２３４５６７８９"
_AFTER_NUMBER = "年届度月日号余多家个名项位批"  # 2025年|…, 100余家|国企 …
WINDOW = 32  #: longest left context looked at (characters)


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    orgs = load_table("entities")["orgs"]
    words = sorted(set(orgs["boundary_tokens"]) | set(orgs["boundary_exceptions"]) | set(orgs["conditional_boundary"]),
                   key=len, reverse=True)
    return {
        # one alternation: exceptions and boundaries, longest first at each position, plus digits
        # ordinals (第五次, 第十五届) end a left context too: 中央第五次|西藏工作座谈会. The digit run
        # is spelt as one alternative per first digit so that every alternative starts with a
        # literal character: the regex engine then skips positions that start none of them.
        "scan": re.compile("第[一二三四五六七八九十百零〇0-9]{1,4}[次届期]|"
                           + "|".join(d + "[0-9０-９.%]*" for d in _DIGITS) + "|"
                           + "|".join(map(re.escape, words))),
        "exceptions": frozenset(orgs["boundary_exceptions"]),
        "boundary": frozenset(orgs["boundary_tokens"]),
        "conditional": frozenset(orgs["conditional_boundary"]),
        # what jieba needs to see to move a name start at all: a boundary word or a digit
        # (conditional words are looked up one by one, see _jieba_start)
        "jieba_needed": re.compile("[0-9０-９]|" + "|".join(map(re.escape, sorted(orgs["boundary_tokens"], key=len, reverse=True)))),
        "generic": tuple(orgs["generic_prefixes"]),
        "min_core": int(orgs["min_core_len"]),
    }


class _WholeFileMarshal:
    """:mod:`marshal` as jieba sees it while its dictionary loads. jieba reads its prefix-dict
    cache with ``marshal.load(file)``, which pulls the file object piece by piece: 0.65 s for its
    9 MB, every time a process loads jieba. ``marshal.loads`` of the whole file gives the same
    dict in 0.17 s. Everything else (writing the cache) is marshal's own."""

    def __getattr__(self, name: str) -> Any:
        return getattr(marshal, name)

    @staticmethod
    def load(fh: Any) -> Any:
        return marshal.loads(fh.read())


def _import_jieba() -> Any:
    """``import jieba`` (heavy: on first use only), without the ``pkg_resources`` it asks for.

    jieba 0.42 imports setuptools' ``pkg_resources`` (0.13 s, most of its import time, and a
    deprecation warning on newer setuptools) only to open its own data files, and opens them
    itself when that import fails. So the import fails, for jieba's import only, unless
    something else has loaded ``pkg_resources`` already."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # (import fails: ImportError)
    try:
        import jieba
    finally:
        if sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    return jieba


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """A private jieba tokenizer (lazy import; the global jieba state is left alone)."""
    jieba = _import_jieba()
    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    module = sys.modules[type(tok).__module__]
    if getattr(module, "marshal", None) is marshal:  # (jieba 0.42: see _WholeFileMarshal)
        module.marshal = _WholeFileMarshal()
        try:
            tok.initialize()
        finally:
            module.marshal = marshal
    else:
        tok.initialize()
    # user dictionary from data/entities.toml: boundary words and their exceptions, org
    # suffixes, known organisations and events, so that they come out as whole tokens
    table = load_table("entities")
    words = set(_rules()["boundary"]) | set(_rules()["exceptions"]) | set(table["orgs"]["suffixes"])
    for entry in table["known_orgs"] + table["events"]["table"]:
        words.add(entry["canonical"])
        words.update(entry["aliases"])
    for word in words:
        tok.add_word(word, freq=max(tok.FREQ.get(word, 0), 1000))
    return tok


@lru_cache(maxsize=4096)
def _cut(s: str) -> tuple[str, ...]:
    return tuple(tokenizer().cut(s, HMM=False))


def words(phrase: str) -> tuple[str, ...]:
    """jieba's words of a short phrase (cached; never asked of a document).

    >>> words("该县引进天津企业")
    ('该县', '引进', '天津', '企业')
    """
    return _cut(phrase)


def head_word(phrase: str) -> str:
    """The last word of a short phrase by jieba's cut: the head of a Chinese noun phrase
    (``同仁县加吾乡小学教学用电脑`` -> 电脑). Only ever asked of one phrase, never a document.

    >>> head_word("小学教学用电脑")
    '电脑'
    """
    tokens = _cut(phrase)
    return tokens[-1] if tokens else phrase


def clause_start(text: str, end: int, floor: int = 0, lists: bool = False) -> int:
    """Offset just after the last clause punctuation before ``end`` (bounded by ``WINDOW``).

    With ``lists=True`` the enumeration comma 、 does not end the clause (A、B等企业).
    """
    lo = max(floor, end - (WINDOW * 2 if lists else WINDOW))
    m = (_LAST_PUNCT_NO_LIST_RX if lists else _LAST_PUNCT_RX).match(text, lo, end)
    last = m.end() if m is not None else -1
    if last < end and _LONE_PAREN.search(text, max(lo, last), end) is not None:
        # a lone bracket ends the clause too; bracketed short groups (天水) are masked so that
        # they do not cut 戈耳电梯(天水)有限公司 (clause punctuation is never inside such a group)
        masked = _PAREN_GROUP.sub(lambda g: "甲" * len(g.group()), text[lo:end])
        for p in _LONE_PAREN.finditer(masked):
            last = max(last, lo + p.end())
    return last if last >= 0 else lo


#: names whose part before the suffix is longer than this are re-cut with jieba
JIEBA_REFINE_LEN = 12


def name_start(text: str, end: int, floor: int = 0, is_name_start: Any = None) -> int:
    """Start of the name whose last character is ``text[end-1]``.

    The start is just after the last boundary word (``data/entities.toml``
    ``[orgs].boundary_tokens``; digits count as one) in the clause before ``end``; words listed
    in ``boundary_exceptions`` are skipped whole. ``is_name_start(offset) -> bool`` says whether
    a place / known name begins at an offset (for the conditional boundary 和). ``floor`` is a
    hard left limit (the end of the previous name). When the result is still longer than
    :data:`JIEBA_REFINE_LEN`, the clause is re-cut with jieba (lazy) token by token.

    >>> t = "甘肃省党政代表团考察了天士力控股集团有限公司"
    >>> t[name_start(t, t.index("集团")):]
    '天士力控股集团有限公司'
    """
    # the clause start (clause_start, its common case inline: no bracket after the last stop)
    lo = end - WINDOW
    if lo < floor:
        lo = floor
    m = _LAST_PUNCT_RX.match(text, lo, end)
    cs = m.end() if m is not None else lo
    if cs < end and _LONE_PAREN.search(text, cs, end) is not None:
        cs = clause_start(text, end, floor)
    if cs >= end:
        return end
    rules = _rules()
    exceptions, conditional = rules["exceptions"], rules["conditional"]
    start = cs
    for m in rules["scan"].finditer(text, cs, end):
        tok = m.group()
        if tok in exceptions:
            continue
        if tok in conditional:
            if is_name_start is not None and is_name_start(m.end()):
                start = m.end()
            continue
        start = m.end()
    if end - start > JIEBA_REFINE_LEN:
        start = max(start, _jieba_start(text, start, end, is_name_start))
    # 2025年全国硕士研究生招生考试: the year's 年 / 第N届's 届 is no part of the name
    while start < end and text[start] in _AFTER_NUMBER and start > 0 and _HAS_DIGIT.match(text[start - 1]):
        start += 1
    return start


def _jieba_start(text: str, cs: int, end: int, is_name_start: Any) -> int:
    """Token-level boundary search with jieba on a short span (never a whole document)."""
    rules = _rules()
    # jieba can move the start only to after a boundary word, a digit, or a conditional word
    # (和) followed by a name: when the span holds none of them, its tokens cannot matter, and
    # jieba (and its dictionary) is not needed at all
    if rules["jieba_needed"].search(text, cs, end) is None and not _conditional_before_name(text, cs, end, is_name_start):
        return cs
    tokens = _cut(text[cs:end])
    pos = cs
    start = cs
    for tok in tokens:
        pos += len(tok)
        if tok in rules["boundary"] or _HAS_DIGIT.search(tok):
            start = pos
        elif tok in rules["conditional"] and is_name_start is not None and is_name_start(pos):
            start = pos
    return start


def _conditional_before_name(text: str, cs: int, end: int, is_name_start: Any) -> bool:
    """Is a conditional boundary word (和) in ``text[cs:end]`` followed by a name start?"""
    if is_name_start is None:
        return False
    for word in _rules()["conditional"]:
        i = text.find(word, cs, end)
        while i >= 0:
            if is_name_start(i + len(word)):
                return True
            i = text.find(word, i + 1, end)
    return False


def is_generic(name: str) -> bool:
    """True for generic references (该公司, 各级政府) that are not names."""
    return name.startswith(_rules()["generic"])


def generic_prefixes() -> tuple[str, ...]:
    """The prefixes :func:`is_generic` tests (``name.startswith(generic_prefixes())``)."""
    return _rules()["generic"]


def min_core() -> int:
    return _rules()["min_core"]
