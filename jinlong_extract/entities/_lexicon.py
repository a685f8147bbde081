"""One pass over an article for every literal word list the entity finders use.

Place names and short forms, 我市/我省, known organisations, organisation and park suffixes,
event names and suffixes, and people's title words all go into one :class:`TrieMatcher`;
each word carries the tags of the lists it comes from. Leftmost-longest matching across all
lists is what a reader does too: ``天津港集团`` is the company, not the place 天津 followed by
the suffix 集团; ``局长`` is a title, not the suffix 局.

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
    return TrieMatcher(frozen), frozen


#: the finders, each with the tags of the words it reads (see :func:`scan_for_finders`)
FINDERS = (("places", frozenset({"place", "deictic"})), ("orgs", frozenset({"known_org", "org_suffix"})),
           ("events", frozenset({"event", "event_suffix"})), ("people", frozenset({"title"})))


@lru_cache(maxsize=1)
def _by_index() -> tuple[Any, list[tuple[str, frozenset[str]]], list[tuple[int, ...]]]:
    """The matcher's raw index search; per word index, ``(word, tags)`` and its finders."""
    matcher, tags = lexicon()
    words = sorted(matcher.words)
    finders = [tuple(k for k, (_, want) in enumerate(FINDERS) if not want.isdisjoint(tags[w])) for w in words]
    return matcher.find_indexes, [(w, tags[w]) for w in words], finders


def scan_for_finders(text: str) -> tuple[list[Hit], ...]:
    """:func:`scan`'s hits split by finder (in :data:`FINDERS` order), each list left to right.

    A finder given its own list finds what it finds with the whole scan: it reads only the
    words that carry its tags.
    """
    find, entries, finders = _by_index()
    lists: tuple[list[Hit], ...] = tuple([] for _ in FINDERS)
    appends = [lst.append for lst in lists]
    new = tuple.__new__
    for i, s, e in find(text):
        h = new(Hit, (s, e, *entries[i]))
        for k in finders[i]:
            appends[k](h)
    return lists


def scan(text: str) -> list[Hit]:
    """Every lexicon word in ``text``, leftmost-longest, non-overlapping, left to right."""
    find, entries, _ = _by_index()
    new = tuple.__new__
    return [new(Hit, (s, e, *entries[i])) for i, s, e in find(text)]
