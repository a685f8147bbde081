"""Entities: who, where, which event (issue 3 §1).

>>> ms = find_mentions("市委书记陈敏尔说,天津安捷物联科技股份有限公司在甘肃武威投资。安捷物联表示…")
>>> [(m.text, m.type, m.canonical) for m in ms][:3]
[('市委', 'ORG', '中共天津市委员会'), ('陈敏尔', 'PER', '陈敏尔'), ('天津安捷物联科技股份有限公司', 'ORG', '天津安捷物联科技股份有限公司')]
>>> sorted(e.canonical for e in merge_entities(ms) if e.type == "ORG")
['中共天津市委员会', '天津安捷物联科技股份有限公司']

Public functions: :func:`find_mentions` (one normalised article → mentions),
:func:`merge_entities` (all mentions → entities), :func:`subject_of` (a figure's subject),
:func:`entity_id`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import attrgetter, le, lt
from typing import Any

from jinlong_extract import records
from jinlong_extract.entities._lexicon import scan_article
from jinlong_extract.entities._trie import find_literals
from jinlong_extract.entities.events import find_events
from jinlong_extract.entities.gazetteer import load_gazetteer, places_and_defaults
from jinlong_extract.entities.merge import entity_id, merge_entities
from jinlong_extract.entities.orgs import Name, find_coordinated, find_listed, find_orgs, short_forms
from jinlong_extract.entities.people import find_people
from jinlong_extract.entities.subject import subject_of

__all__ = ["entity_id", "find_mentions", "merge_entities", "subject_of"]

_TITLE_SPAN = re.compile(r"《[^《》\n]{1,80}》")
_RANK = {"ORG": 0, "EVENT": 0, "PER": 1, "LOC": 2}


def find_mentions(text: str, *, doc: str = "", article: int = 0) -> list[records.Mention]:
    """Entity mentions in ONE normalised (simplified) article text.

    ``start``/``end`` are offsets into ``text``. Types ORG / LOC / PER / EVENT; ``canonical``
    filled where resolvable (places: full unit path; events: programme name; people: the name);
    ``title``/``org`` for people as stated; ``edition`` for events when a year is written
    before them. Names inside a 《title》 are not mentions.

    >>> [(m.text, m.canonical, m.edition) for m in find_mentions("2024年“津陇共振兴”合作交流洽谈大会") if m.type == "EVENT"]
    [('津陇共振兴', '津陇共振兴合作交流洽谈大会', 2024)]
    """
    place_items, org_lex, event_lex, people_lex = scan_article(text)
    hits, defaults = places_and_defaults(text, place_items)  # find_places, default_places
    # places become mentions right away (left to right, never overlapping each other)
    Mention = records.Mention
    places: list[records.Mention] = []
    add = places.append
    for h in hits:
        if h.deictic:
            p = defaults.get(h.deictic)
            if p is not None:
                add(Mention(doc, article, h.start, h.end, h.text, "LOC", p.canonical))
            continue
        add(Mention(doc, article, h.start, h.end, h.text, "LOC", h.place.canonical if h.place else h.text))
    names = find_orgs(text, hits, defaults, org_lex)  # every other candidate
    names.extend(find_events(text, hits, event_lex))
    people = find_people(text, people_lex)
    names.extend([Name(p.start, p.end, p.name, "PER", p.name, None, p.rule) for p in people])
    names.extend(find_listed(text, [(c.start, c.end) for c in names if c.type != "LOC"]))
    named = [c for c in names if c.type == "ORG" or c.rule == "park suffix with place prefix"]
    names.extend(find_coordinated(text, named, load_gazetteer().forms))
    titles = [m.span() for m in _TITLE_SPAN.finditer(text)] if "《" in text else []
    kept_names, taken = _keep_names(names, titles)
    # the kept names become mentions (events with their edition; people's titles come last,
    # once the short forms are in: the organisation named in a title may be one)
    titled = {(p.start, p.end): p for p in people if p.title}
    with_title: list[tuple[records.Mention, Any]] = []
    orgs: list[Name] = []
    kept: list[records.Mention] = []
    for c in kept_names:
        m = Mention(doc, article, c.start, c.end, c.text, c.type, c.canonical)
        if c.type == "ORG":
            orgs.append(c)
        elif c.type == "EVENT":
            m.edition = c.edition
        elif c.type == "PER" and titled:
            p = titled.get((c.start, c.end))
            if p is not None:
                with_title.append((m, p))
        kept.append(m)
    # gazetteer places come from one leftmost-longest scan, so they never overlap each other.
    # A place named inside an organisation or event (秦安县 in 秦安县乾嘉…有限公司) stays a place
    # mention of its own (兰州新区 in 兰州新区产业园 too); one that crosses a name's edge does not.
    kept += _not_crossing(places, taken, titles)
    # by start, longer first (at equal spans names before places): two stable C-level sorts
    kept.sort(key=_by_end, reverse=True)
    kept.sort(key=_by_start)
    if orgs:
        kept = _add_short_forms(text, kept, kept_names, orgs, doc, article)
    for m, p in with_title:
        m.title = p.title
        m.org = _org_in(kept, p.title_start, p.start)
    return kept


_by_start = attrgetter("start")
_by_end = attrgetter("end")


def _keep_names(names: list[Name], titles: list[tuple[int, int]]) -> tuple[list[Name], list[tuple[int, int]]]:
    """The names that win their overlaps (and lie inside no 《title》), and their sorted spans.

    Longer spans first; at equal length ORG/EVENT before PER before LOC (parks).
    """
    if titles:
        names = [c for c in names if not _inside_any(titles, c.start, c.end)]
    rank = _RANK
    names = sorted(names, key=lambda c: (c.start - c.end, rank[c.type], c.start))
    taken: list[tuple[int, int]] = []  # kept names (non-overlapping, sorted)
    kept: list[Name] = []
    for c in names:
        s, e = c.start, c.end
        i = bisect_left(taken, (s, s))
        if (i < len(taken) and taken[i][0] < e) or (i > 0 and taken[i - 1][1] > s):
            continue  # overlaps a kept name (see _overlaps)
        taken.insert(i, (s, e))
        kept.append(c)
    return kept, taken


def _not_crossing(places: list[Any], taken: list[tuple[int, int]],
                  titles: list[tuple[int, int]] = ()) -> list[Any]:  # type: ignore[assignment]
    """The ``places`` that cross no span of ``taken`` (sorted, non-overlapping; see :func:`_crosses`)
    and lie inside no 《title》 of ``titles`` (sorted, non-overlapping; see :func:`_inside_any`).

    ``places`` come left to right and never overlap (so their ends are sorted too): each name
    or title looks up the few places it touches, instead of each place looking up names.
    """
    if not places or (not taken and not titles):
        return list(places)
    starts = [c.start for c in places]
    ends = [c.end for c in places]
    if not (all(map(lt, starts, ends)) and all(map(le, ends, starts[1:]))):
        # not left to right, or empty: ask place by place
        return [c for c in places if not _crosses(taken, c.start, c.end)
                and not (titles and _inside_any(titles, c.start, c.end))]
    drop: set[int] = set()
    for a, b in taken:
        # the places overlapping [a, b): ending after a, starting before b
        for i in range(bisect_right(ends, a), bisect_left(starts, b)):
            if not (a <= starts[i] and ends[i] <= b):
                drop.add(i)  # crosses the name's edge
    for a, b in titles:
        for i in range(bisect_right(starts, a), bisect_left(starts, b)):
            if ends[i] < b:
                drop.add(i)  # strictly inside 《…》 (a < start, end < b)
    if not drop:
        return list(places)
    return [c for i, c in enumerate(places) if i not in drop]


def _inside_any(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Is [s, e) strictly inside one of the sorted ``spans`` (inside 《…》)?"""
    i = bisect_left(spans, (s, s)) - 1
    return i >= 0 and spans[i][0] < s and e < spans[i][1]


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Does [s, e) overlap any span of the sorted, non-overlapping ``spans``?"""
    i = bisect_left(spans, (s, s))
    if i < len(spans) and spans[i][0] < e:
        return True
    return i > 0 and spans[i - 1][1] > s


def _crosses(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Does [s, e) overlap a span without lying inside it?"""
    i = bisect_left(spans, (s, s))
    for j in (i - 1, i):
        if 0 <= j < len(spans):
            a, b = spans[j]
            if s < b and a < e and not (a <= s and e <= b):
                return True
    if i + 1 < len(spans) and spans[i + 1][0] < e:
        return True
    return False


def _add_short_forms(text: str, kept: list[records.Mention], names: list[Name], orgs: list[Name],
                     doc: str, article: int) -> list[records.Mention]:
    """Look up the short forms of the companies found (安捷物联 for 天津安捷物联科技股份有限公司).

    ``kept``: the article's mentions, sorted; ``names``: the kept names (not places) among
    them, ``orgs`` the organisations among those.
    """
    forms: dict[str, str] = {}
    for c in sorted(orgs, key=_by_start):  # the first named wins (kept names never overlap)
        for f in short_forms(c.text):
            forms.setdefault(f, c.canonical or c.text)
    if not forms:
        return kept
    taken = sorted((c.start, c.end) for c in names if c.type != "LOC")
    Mention = records.Mention
    extra = [Mention(doc, article, s, e, w, "ORG", forms[w])
             for s, e, w in find_literals(forms, text) if not _overlaps(taken, s, e)]
    return sorted(kept + extra, key=_by_start)


def _org_in(kept: list[Any], lo: int | None, hi: int) -> str | None:
    """The last organisation named inside [lo, hi) (``kept`` is sorted by start)."""
    if lo is None:
        return None
    i = bisect_left(kept, lo, key=_by_start)
    j = bisect_left(kept, hi, key=_by_start, lo=i)  # a name inside ends by hi, so starts before it
    orgs = [c for c in kept[i:j] if c.type == "ORG" and c.end <= hi]
    return (orgs[-1].canonical or orgs[-1].text) if orgs else None
