"""People: a Chinese name (surname table + one or two characters) right after a title word, or
right before a speech verb, or right before ``同志`` / ``总书记``; then every other occurrence of
a name found that way in the same article.

The title is kept as stated, from the start of the clause to the name
(``天津市发展和改革委员会支援合作三处处长、二级巡视员杨毅东`` → title
``天津市发展和改革委员会支援合作三处处长、二级巡视员``), with the organisation named in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any

from jinlong_extract.data import load_table
from jinlong_extract.entities._trie import find_literals, literal_alternation, trie_pattern

#: punctuation that ends the stated title on the left (、 does not: 处长、二级巡视员)
_TITLE_STOP = re.compile(r"[，,。；;：:！!？?“”\"《》\s(（)）]")


@dataclass(slots=True)
class Person:
    start: int
    end: int
    name: str
    title: str | None
    title_start: int | None
    rule: str


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    p = load_table("entities")["people"]
    surname = "(?:" + trie_pattern(p["double_surnames"]) + "|[" + p["surnames"] + "])"
    given = r"[\u4e00-\u9fff]"
    return {
        # titles, speech verbs and honorifics are found with fast literal matchers; the name is
        # then matched right after (titles) or right before (verbs, honorifics) them
        "verbs": literal_alternation(p["speech_verbs"]),
        "after": literal_alternation(p["after_titles"]),
        # both in one pass when no character is shared (then no verb match can hide an
        # honorific match or the other way round): group 1 = a verb, group 2 = an honorific
        "verbs_or_after": _verbs_or_after(p["speech_verbs"], p["after_titles"]),
        "verb_words": frozenset(p["speech_verbs"]),
        # 副厅长黄宝荣 / 记者 王睿: optional space, surname + 1–2 characters
        "after_title": re.compile(f"[ \u3000]?({surname}{given}{{1,2}})"),
        "name": re.compile(f"{surname}{given}{{1,2}}"),
        "stop": frozenset(p["name_stop_chars"]),
        "not_start": frozenset(p["not_name_starts"]),
        "list_next": re.compile(f"[、和]({surname}{given}{{1,2}})"),
    }


def _verbs_or_after(verbs: list[str], after: list[str]) -> re.Pattern[str] | None:
    """Speech verbs and honorifics in one literal alternation, when no character is shared.

    Then no verb can start where an honorific starts, and no match of one kind can hide a
    match of the other: one pass finds what two separate passes find. A match is a verb
    when its text is one (see ``verb_words``).
    """
    if set("".join(verbs)) & set("".join(after)):
        return None
    return literal_alternation(list(verbs) + list(after))


#: the last punctuation that ends a stated title (see _TITLE_STOP): ``match(text, lo, hi).end()``
_LAST_TITLE_STOP = re.compile(r"(?s:.*)" + _TITLE_STOP.pattern)
_by_start = attrgetter("start")
_by_end = attrgetter("end")

_CLAUSE_CHARS = frozenset("，,。；;：:！!？?“”\"、 \t\n\r(（　")


def _name_before(text: str, end: int, need_clause_start: bool) -> tuple[int, int] | None:
    """A 2- or 3-character name ending at ``end`` (陈敏尔|说), shortest first."""
    name_rx = rules()["name"]
    for length in (2, 3):
        s = end - length
        if s < 0:
            break
        if name_rx.fullmatch(text, s, end) is None:
            continue
        if need_clause_start and s > 0 and text[s - 1] not in _CLAUSE_CHARS:
            continue
        return s, end
    return None


def _fix_length(text: str, s: int, e: int) -> int:
    """Drop a third character that belongs to the next word (张工分别 → 张工)."""
    stop = rules()["stop"]
    if e - s >= 3 and text[e - 1] in stop:
        return e - 1
    return e


def find_people(text: str, lex: list | None = None) -> list[Person]:
    """People named in one article (offsets into ``text``).

    ``lex``: the article's :func:`~jinlong_extract.entities._lexicon.scan` (titles are taken
    from it; computed if None).
    """
    r = rules()
    if lex is None:
        from jinlong_extract.entities._lexicon import scan

        lex = scan(text)
    found: list[Person] = []
    not_start = r["not_start"]
    stop_chars = r["stop"]
    after_title = r["after_title"]
    list_next = r["list_next"]
    last_end = 0
    for t in lex:
        if "title" not in t.tags:
            continue
        m = after_title.match(text, t.end)
        if m is None:
            continue
        s, e = m.span(1)
        if text[s : s + 2] in not_start:
            continue
        if e - s >= 3 and text[e - 1] in stop_chars:
            e -= 1  # see _fix_length
        cs = max(0, s - 40, last_end)
        stop = _LAST_TITLE_STOP.match(text, cs, t.start)
        ts = stop.end() if stop else cs
        while ts < s and text[ts] in "和、与及 ":
            ts += 1  # 任振鹤和市委副书记、市长张工: the title starts after 和
        title = text[ts:s].strip() or None
        last_end = e
        found.append(Person(s, e, text[s:e], title, ts, "title before name"))
        # enumerations after the title: 省领导朱天舒、张伟、李刚和…
        pos = e
        while True:
            nm = list_next.match(text, pos)
            if nm is None:
                break
            ns, ne = nm.span(1)
            ne = _fix_length(text, ns, ne)
            if ne < len(text) and text[ne] not in "、和，,。；;）)" and ne - ns == 2:
                break
            found.append(Person(ns, ne, text[ns:ne], title, ts, "listed after title"))
            pos = last_end = ne
    both = r["verbs_or_after"]
    if both is not None:
        verbs: list[Person] = []
        after: list[Person] = []
        verb_words = r["verb_words"]
        for m in both.finditer(text):
            clause = m.group() in verb_words
            span = _name_before(text, m.start(), clause)
            if span is None or text[span[0] : span[0] + 2] in not_start:
                continue
            (verbs if clause else after).append(
                Person(span[0], span[1], text[span[0]:span[1]], None, None,
                       "name before speech verb" if clause else "name before honorific"))
        found += verbs
        found += after
    else:
        for key, rule, clause in (("verbs", "name before speech verb", True), ("after", "name before honorific", False)):
            for m in r[key].finditer(text):
                span = _name_before(text, m.start(), clause)
                if span is None or text[span[0] : span[0] + 2] in not_start:
                    continue
                found.append(Person(span[0], span[1], text[span[0]:span[1]], None, None, rule))
    # every other occurrence of the names found (胡昌升代表省委…)
    names = {p.name for p in found if len(p.name) >= 2}
    if names:
        taken = {(p.start, p.end) for p in found}
        for s, e, name in find_literals(names, text):
            if (s, e) not in taken:
                found.append(Person(s, e, name, None, None, "name seen in article"))
    found.sort(key=_by_end, reverse=True)  # by start, longer first (two stable sorts)
    found.sort(key=_by_start)
    out: list[Person] = []
    last_end = -1
    for p in found:
        if p.start >= last_end:
            out.append(p)
            last_end = p.end
    return out
