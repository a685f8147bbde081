"""Many literal words in a text: leftmost-longest matches.

* :class:`TrieMatcher`: a big fixed word list (the article lexicon) scanned in one pass by an
  Aho-Corasick automaton in compiled code (``ahocorasick_rs``, leftmost-longest match kind).
* :func:`trie_pattern`: one regex alternation of many literal strings, shaped as a trie, for
  lists that are part of a larger pattern (double surnames). A flat alternation ``a|ab|abc``
  makes the regex engine try every alternative at every position; a trie-shaped pattern
  (``a(?:b(?:c)?)?``) shares prefixes, so a position that starts no word is rejected after one
  character test. At every branch the longer continuation is tried first (greedy ``?``), so
  the match at a given start is always the longest word.
* :func:`find_literals`: a few words that change with every article (short forms, names
  seen), found with ``str.find``: nothing to compile.

>>> import re
>>> rx = re.compile(trie_pattern(["甘肃", "甘肃省", "甘南州"]))
>>> [m.group() for m in rx.finditer("甘肃省甘南州")]
['甘肃省', '甘南州']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import ahocorasick_rs

_END = ""


def _insert(root: dict, word: str) -> None:
    node = root
    for ch in word:
        node = node.setdefault(ch, {})
    node[_END] = {}


def _node_pattern(node: dict) -> str:
    terminal = _END in node
    children = sorted((k for k in node if k != _END), key=lambda c: (-_depth(node[c]), c))
    if not children:
        return ""
    # one-character children with no continuation collapse into a character class
    singles = [c for c in children if set(node[c]) == {_END}]
    multis = [c for c in children if c not in singles]
    alts = [re.escape(c) + _node_pattern(node[c]) for c in multis]
    if len(singles) == 1:
        alts.append(re.escape(singles[0]))
    elif singles:
        alts.append("[" + "".join(re.escape(c) for c in singles) + "]")
    body = alts[0] if len(alts) == 1 and not terminal else "(?:" + "|".join(alts) + ")"
    if len(alts) == 1 and terminal:
        body = "(?:" + alts[0] + ")"
    return body + ("?" if terminal else "")


def _depth(node: dict) -> int:
    return 1 + max((_depth(v) for k, v in node.items() if k != _END), default=0)


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching any of ``words``, longest first at each start position."""
    root: dict = {}
    for word in words:
        if word:
            _insert(root, word)
    if not root:
        return "(?!)"
    return _node_pattern(root)


class TrieMatcher:
    """Leftmost-longest, non-overlapping matches of many literal words, fast.

    An Aho-Corasick automaton (``ahocorasick_rs``, leftmost-longest match kind) finds every
    word in one pass in compiled code: at the leftmost position where a word starts, the
    longest word starting there; the scan goes on after it. That is what a reader does, and
    what :func:`trie_pattern` matches at one position.

    >>> [m.group() for m in TrieMatcher(["甘肃", "甘肃省", "武威"]).finditer("在甘肃省武威")]
    ['甘肃省', '武威']
    >>> TrieMatcher(["甘肃", "甘肃省", "武威"]).find("在甘肃省武威")
    [(1, 4, '甘肃省'), (4, 6, '武威')]
    """

    def __init__(self, words: Iterable[str]) -> None:
        words = list(dict.fromkeys(w for w in words if w))  # word indexes: the order given
        self.words = frozenset(words)
        self._list = words
        self.words_in_order = tuple(words)  #: the words by index (the order given, duplicates dropped)
        self._ac = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                                                implementation=ahocorasick_rs.Implementation.ContiguousNFA) if words else None

    @property
    def pattern(self) -> re.Pattern[str]:
        """The whole trie as one pattern (built on demand; the matcher itself does not need it)."""
        return re.compile(trie_pattern(self.words))

    def find_indexes(self, text: str) -> list[tuple[int, int, int]]:
        """The matches as ``(word index in the order given, start, end)``, left to right."""
        if self._ac is None:
            return []
        return self._ac.find_matches_as_indexes(text)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """The matches as ``(start, end, word)``, left to right."""
        words = self._list
        return [(s, e, words[i]) for i, s, e in self.find_indexes(text)]

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[_Match]:
        """Yield the matches (match-like objects: ``start()``, ``end()``, ``span()``, ``group()``)."""
        end = len(text) if endpos is None else endpos
        if pos == 0 and end == len(text):
            for s, e, w in self.find(text):
                yield _Match(s, e, w)
        else:
            for s, e, w in self.find(text[pos:end]):
                yield _Match(s + pos, e + pos, w)


class _Match(NamedTuple):
    """One :meth:`TrieMatcher.finditer` match, read like an ``re.Match``."""

    s: int
    e: int
    word: str

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e

    def span(self) -> tuple[int, int]:
        return self.s, self.e

    def group(self) -> str:
        return self.word


def find_literals(words: Iterable[str], text: str) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping matches of a few literal words (per-article lists).

    The same matches as ``literal_alternation(words).finditer(text)``, found with ``str.find``
    (no pattern to compile for a word list that changes with every article).

    >>> find_literals(["安捷物联", "安捷物联科技", "联科"], "安捷物联科技与安捷物联联科")
    [(0, 6, '安捷物联科技'), (7, 11, '安捷物联'), (11, 13, '联科')]
    """
    words = [w for w in words if w]
    find = text.find
    if len(words) == 1:  # one word: its occurrences left to right, each after the last
        w = words[0]
        n = len(w)
        out1: list[tuple[int, int, str]] = []
        i = find(w)
        while i >= 0:
            out1.append((i, i + n, w))
            i = find(w, i + n)
        return out1
    found: list[tuple[int, int, str]] = []
    for w in words:
        i = find(w)
        n = len(w)
        while i >= 0:
            found.append((i, -n, w))
            i = find(w, i + 1)
    if not found:
        return []
    found.sort()
    out: list[tuple[int, int, str]] = []
    last = 0
    for i, neg, w in found:
        if i >= last:
            last = i - neg
            out.append((i, last, w))
    return out


def literal_alternation(words: Iterable[str]) -> re.Pattern[str]:
    """A compiled alternation of a few literal words, longest first (for per-article lists)."""
    alts = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alts)) if alts else "(?!)")
