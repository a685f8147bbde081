"""One pass over an article for every literal word list the entity finders use.

Place names and short forms, 我市/我省, known organisations, organisation and park suffixes,
event names and suffixes, and people's title words all go into one :class:`TrieMatcher`;
each word carries the tags of the lists it comes from. Leftmost-longest matching across all
lists is what a reader does too: ``天津港集团`` is the company, not the place 天津 followed by
the suffix 集团; ``局长`` is a title, not the suffix 局.

:func:`scan_article` is the pipeline's one scan: its matches split by finder, the place
matches left raw (word index, start, end) for the place finder to read by index.

>>> hits = scan("甘肃省工信厅副厅长黄宝荣")
>>> [(h.text, sorted(h.tags)) for h in hits]
[('甘肃省', ['place']), ('厅', ['org_suffix']), ('副厅长', ['title'])]
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from jinlong_extract.data import load_table
from jinlong_extract.entities._trie import TrieMatcher

TAGS = ("place", "deictic", "known_org", "org_suffix", "event", "event_suffix", "title")


class Hit(NamedTuple):
    """One lexicon word in an article (a tuple: cheap to make by the thousand)."""

    start: int
    end: int
    text: str
    tags: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> tuple[TrieMatcher, dict[str, frozenset[str]]]:
    """The combined matcher and word -> tags (built once per process)."""
    from jinlong_extract.entities.gazetteer import load_gazetteer

    table = load_table("entities")
    gaz = load_gazetteer()
    tags: dict[str, set[str]] = {}

    def add(words, tag: str) -> None:
        for w in words:
            if w:
                tags.setdefault(w, set()).add(tag)

    add(gaz.forms, "place")
    add(gaz.deictic, "deictic")
    known = [e["canonical"] for e in table["known_orgs"]] + [a for e in table["known_orgs"] for a in e["aliases"]]
    add(known, "known_org")
    add(table["orgs"]["suffixes"] + table["orgs"]["park_suffixes"], "org_suffix")
    events = [e["canonical"] for e in table["events"]["table"]] + [a for e in table["events"]["table"] for a in e["aliases"]]
    add(events, "event")
    add(table["events"]["suffixes"], "event_suffix")
    add(table["people"]["titles"], "title")
    frozen = {w: frozenset(t) for w, t in tags.items()}
    # word order (= match index order): place words read by no other finder, place words read
    # by another finder too, then the other words (see scan_article)
    order = sorted(frozen, key=lambda w: (_group(frozen[w]), w))
    return TrieMatcher(order), frozen


#: the finders, each with the tags of the words it reads (see :func:`scan_article`)
FINDERS = (("places", frozenset({"place", "deictic"})), ("orgs", frozenset({"known_org", "org_suffix"})),
           ("events", frozenset({"event", "event_suffix"})), ("people", frozenset({"title"})))
_PLACE_TAGS = FINDERS[0][1]


def _group(tags: frozenset[str]) -> int:
    if tags <= _PLACE_TAGS:
        return 0
    return 1 if not tags.isdisjoint(_PLACE_TAGS) else 2


class _Index(NamedTuple):
    find: Any  #: text -> [(word index, start, end)]
    words: list[str]  #: by word index
    entries: list[tuple[str, frozenset[str]]]  #: by word index: (word, tags)
    finders: list[tuple[int, ...]]  #: by word index: the finders (FINDERS positions) reading it
    n_place_only: int  #: words [0, n_place_only) are read by the place finder only
    n_place: int  #: words [0, n_place) are read by the place finder
    index_of: dict[str, int]


@lru_cache(maxsize=1)
def index() -> _Index:
    """The matcher's raw search and its words by index (see :func:`scan_article`)."""
    matcher, tags = lexicon()
    words = list(matcher.words_in_order)
    groups = [_group(tags[w]) for w in words]
    finders = [tuple(k for k, (_, want) in enumerate(FINDERS) if not want.isdisjoint(tags[w])) for w in words]
    return _Index(matcher.find_indexes, words, [(w, tags[w]) for w in words], finders,
                  groups.count(0), groups.count(0) + groups.count(1), {w: i for i, w in enumerate(words)})


def scan_article(text: str) -> tuple[list[tuple[int, int, int]], list[Hit], list[Hit], list[Hit]]:
    """One scan of an article for every finder, in :data:`FINDERS` order, each left to right.

    Places get the raw matches ``(word index, start, end)`` (see :func:`index`; the place
    finder reads them by index), the other finders :class:`Hit` lists. A finder given its own
    list finds what it finds with the whole :func:`scan`: it reads only the words that carry
    its tags.
    """
    ix = index()
    found = ix.find(text)
    n_only, n_place = ix.n_place_only, ix.n_place
    places = [m for m in found if m[0] < n_place]
    lists: tuple[list[Hit], ...] = ([], [], [])
    appends = [None] + [lst.append for lst in lists]
    entries, finders = ix.entries, ix.finders
    new = tuple.__new__
    for i, s, e in [m for m in found if m[0] >= n_only]:
        h = new(Hit, (s, e, *entries[i]))
        for k in finders[i]:
            if k:
                appends[k](h)
    return (places, *lists)


def place_items(lex: list[Hit]) -> list[tuple[int, int, int]]:
    """The place finder's raw matches ``(word index, start, end)`` among lexicon hits."""
    index_of = index().index_of
    return [(index_of[h.text], h.start, h.end) for h in lex if not _PLACE_TAGS.isdisjoint(h.tags)]


def scan(text: str) -> list[Hit]:
    """Every lexicon word in ``text``, leftmost-longest, non-overlapping, left to right."""
    ix = index()
    entries = ix.entries
    new = tuple.__new__
    return [new(Hit, (s, e, *entries[i])) for i, s, e in ix.find(text)]
