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
from typing import Any

from jinlong_extract.data import load_table
from jinlong_extract.entities._trie import TrieMatcher, trie_pattern

#: punctuation that ends the stated title on the left (、 does not: 处长、二级巡视员)
_TITLE_STOP = re.compile(r"[，,。；;：:！!？?“”\"《》\n(（)）]")


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
    titles = trie_pattern(p["titles"])
    verbs = trie_pattern(p["speech_verbs"])
    after = trie_pattern(p["after_titles"])
    return {
        # 副厅长黄宝荣 / 记者 王睿: title, optional space, surname + 1–2 characters
        "titled": re.compile(f"(?:{titles})[ \u3000]?({surname}{given}{{1,2}})"),
        # 陈敏尔说 at a clause start
        "speaker": re.compile(
            rf"(?:^|(?<=[，,。；;：:！!？?“”\"、\s(（]))({surname}{given}{{1,2}}?)(?:{verbs})", re.M
        ),
        # 习近平同志 / 习近平总书记
        "honoured": re.compile(f"({surname}{given}{{1,2}}?)(?:{after})"),
        "stop": frozenset(p["name_stop_chars"]),
        "not_start": frozenset(p["not_name_starts"]),
        "surname_rx": re.compile(surname),
        "list_next": re.compile(f"[、和]({surname}{given}{{1,2}})"),
    }


def _fix_length(text: str, s: int, e: int) -> int:
    """Drop a third character that belongs to the next word (张工分别 → 张工)."""
    stop = rules()["stop"]
    if e - s >= 3 and text[e - 1] in stop:
        return e - 1
    return e


def find_people(text: str) -> list[Person]:
    """People named in one article (offsets into ``text``)."""
    r = rules()
    found: list[Person] = []
    not_start = r["not_start"]
    last_end = 0
    for m in r["titled"].finditer(text):
        s, e = m.span(1)
        if text[s : s + 2] in not_start:
            continue
        e = _fix_length(text, s, e)
        cs = max(0, s - 40, last_end)
        stop = None
        for stop in _TITLE_STOP.finditer(text, cs, m.start(1)):
            pass
        ts = stop.end() if stop else cs
        while ts < s and text[ts] in "和、与及 ":
            ts += 1  # 任振鹤和市委副书记、市长张工: the title starts after 和
        title = text[ts:m.start(1)].strip() or None
        last_end = e
        found.append(Person(s, e, text[s:e], title, ts, "title before name"))
        # enumerations after the title: 省领导朱天舒、张伟、李刚和…
        pos = e
        while True:
            nm = r["list_next"].match(text, pos)
            if nm is None:
                break
            ns, ne = nm.span(1)
            ne = _fix_length(text, ns, ne)
            if ne < len(text) and text[ne] not in "、和，,。；;）)" and ne - ns == 2:
                break
            found.append(Person(ns, ne, text[ns:ne], title, ts, "listed after title"))
            pos = last_end = ne
    for key, rule in (("speaker", "name before speech verb"), ("honoured", "name before honorific")):
        for m in r[key].finditer(text):
            s, e = m.span(1)
            if text[s : s + 2] in not_start:
                continue
            found.append(Person(s, e, text[s:e], None, None, rule))
    # every other occurrence of the names found (胡昌升代表省委…)
    names = {p.name for p in found if len(p.name) >= 2}
    if names:
        taken = {(p.start, p.end) for p in found}
        for m in TrieMatcher(names).finditer(text):
            if (m.start(), m.end()) not in taken:
                found.append(Person(m.start(), m.end(), m.group(), None, None, "name seen in article"))
    found.sort(key=lambda p: (p.start, -p.end))
    out: list[Person] = []
    last_end = -1
    for p in found:
        if p.start >= last_end:
            out.append(p)
            last_end = p.end
    return out
