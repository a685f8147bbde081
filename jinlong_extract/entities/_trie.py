"""Build one regex alternation of many literal strings, shaped as a trie.

A flat alternation ``a|ab|abc`` makes the regex engine try every alternative at every
position; a trie-shaped pattern (``a(?:b(?:c)?)?``) shares prefixes, so a position that starts
no word is rejected after one character test. At every branch the longer continuation is tried
first (greedy ``?``), so the match at a given start is always the longest word.

>>> import re
>>> rx = re.compile(trie_pattern(["甘肃", "甘肃省", "甘南州"]))
>>> [m.group() for m in rx.finditer("甘肃省甘南州")]
['甘肃省', '甘南州']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

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

    ``re.finditer`` over a big trie pattern re-tries every top-level branch at every position;
    here a cheap lookahead (first character in the set of first characters *and* second
    character in the set of second characters, or a one-character word) finds the positions
    that can start a word, a set of two-character prefixes rejects most of them, and only the
    survivors run the anchored trie pattern. On the seed corpus this is ~7× faster than a plain
    ``finditer`` with the same pattern.

    >>> [m.group() for m in TrieMatcher(["甘肃", "甘肃省", "武威"]).finditer("在甘肃省武威")]
    ['甘肃省', '武威']
    """

    def __init__(self, words: Iterable[str]) -> None:
        words = sorted({w for w in words if w})
        self.words = frozenset(words)
        self._single = frozenset(w for w in words if len(w) == 1)
        self._prefix2 = frozenset(w[:2] for w in words if len(w) >= 2)
        firsts = "".join(sorted({w[0] for w in words if len(w) >= 2}))
        seconds = "".join(sorted({w[1] for w in words if len(w) >= 2}))
        alts = []
        if firsts:
            alts.append("[" + re.escape(firsts) + "][" + re.escape(seconds) + "]")
        if self._single:
            alts.append("[" + re.escape("".join(sorted(self._single))) + "]")
        self._starts = re.compile("(?=" + "|".join(alts) + ")" if alts else "(?!)")
        # one small anchored pattern per first character: a candidate position runs only the
        # sub-trie of its own character instead of the whole top-level alternation. Compiled on
        # first use: a short run meets few first characters, and start-up stays fast.
        by_first: dict[str, list[str]] = {}
        for w in words:
            by_first.setdefault(w[0], []).append(w)
        self._words_by_first = by_first
        self._by_first = _LazyMatchers(by_first)

    @property
    def pattern(self) -> re.Pattern[str]:
        """The whole trie as one pattern (built on demand; the matcher itself does not need it)."""
        return re.compile(trie_pattern(self.words))

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """Yield the matches (``re.Match`` objects of the trie pattern) left to right."""
        end = len(text) if endpos is None else endpos
        nxt = pos
        by_first = self._by_first
        pre2 = self._prefix2
        single = self._single
        for m in self._starts.finditer(text, pos, end):
            i = m.start()
            if i < nxt:
                continue
            if text[i : i + 2] not in pre2 and text[i] not in single:
                continue
            mm = by_first[text[i]](text, i, end)
            if mm is not None and mm.end() > i:
                nxt = mm.end()
                yield mm


class _LazyMatchers(dict):
    """first character -> compiled ``match`` of its sub-trie, compiled when first asked for."""

    def __init__(self, words_by_first: dict[str, list[str]]) -> None:
        super().__init__()
        self._words = words_by_first

    def __missing__(self, ch: str):
        fn = re.compile(trie_pattern(self._words[ch])).match
        self[ch] = fn
        return fn


def literal_alternation(words: Iterable[str]) -> re.Pattern[str]:
    """A compiled alternation of a few literal words, longest first (for per-article lists)."""
    alts = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alts)) if alts else "(?!)")
