"""Events: recurring programmes from a table, quoted programme names, and a suffix pattern.

* table (``data/entities.toml`` ``[[events.table]]``): ``兰洽会`` → 中国兰州投资贸易洽谈会;
* quoted names ending like an event: ``“津企天水行”``, ``“2023棉里·向美城市艺术节”``;
* suffix pattern: ``…推介会`` / ``…博览会`` / ``…文化节`` with the name start found as for
  organisations.

The edition is the year written right before (``2024年“津陇共振兴”…大会`` → 2024,
``2024中国算力大会`` → 2024); ``第十五届`` is dropped from the name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinlong_extract.data import load_table
from jinlong_extract.entities import _context
from jinlong_extract.entities.gazetteer import PlaceHit
from jinlong_extract.entities.orgs import Name

#: a year (and an optional 第N届 / opening quote) right before an event name
_EDITION_BEFORE = re.compile(r"((?:19|20)\d\d)(?:年度?|年)?\s*(?:第[一二三四五六七八九十百零〇\d]{1,4}[届次])?\s*[“\"「『]?$")
#: a leading year or 第N届 inside a name: 2023棉里·向美城市艺术节, 第十五届天津…文化节
_LEADING = re.compile(r"^(?:((?:19|20)\d\d)(?:年度?)?)?(?:第[一二三四五六七八九十百零〇\d]{1,4}[届次])?")
_QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』\n]{2,24})[”\"」』]")


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    ev = load_table("entities")["events"]
    alias: dict[str, str] = {}
    for entry in ev["table"]:
        alias[entry["canonical"]] = entry["canonical"]
        for a in entry["aliases"]:
            alias[a] = entry["canonical"]
    return {
        "alias": alias,
        "quoted_endings": tuple(ev["quoted_endings"]),
        "quoted_min": int(ev["quoted_min_len"]),
        "follower_rx": re.compile(
            r"[\u4e00-\u9fff]{0,%d}?(?:%s)" % (int(ev["quoted_follower_gap"]),
                                             "|".join(sorted(map(re.escape, ev["quoted_followers"]), key=len, reverse=True)))
        ),
        # pre-filter: a follower matched by follower_rx lies inside this many characters
        "follower_any": re.compile("|".join(map(re.escape, ev["quoted_followers"]))),
        "follower_reach": int(ev["quoted_follower_gap"]) + max(map(len, ev["quoted_followers"])),
    }


def edition_before(text: str, start: int) -> int | None:
    """The year written right before an event name starting at ``start``, if any.

    >>> edition_before("2024年“津陇共振兴”", 6)
    2024
    """
    m = _EDITION_BEFORE.search(text, max(0, start - 14), start)
    return int(m.group(1)) if m else None


def _drop_parent_places(name: str, start: int, hits_by_start: dict[int, PlaceHit]) -> str:
    """天津蓟州梨园情旅游文化节 → 蓟州梨园情旅游文化节 (keep only the innermost place)."""
    pos, chain = start, []
    while pos in hits_by_start:
        chain.append(hits_by_start[pos])
        pos = hits_by_start[pos].end
    if len(chain) >= 2:
        return name[chain[-1].start - start:]
    return name


def find_events(text: str, hits: list[PlaceHit], lex: list | None = None) -> list[Name]:
    """Event mentions in one article (offsets into ``text``).

    ``lex``: the article's :func:`~jinlong_extract.entities._lexicon.scan` (computed if None).
    """
    r = rules()
    if lex is None:
        from jinlong_extract.entities._lexicon import scan

        lex = scan(text)
    alias = r["alias"]
    out: list[Name] = []
    for h in lex:
        if "event" in h.tags:
            out.append(Name(h.start, h.end, h.text, "EVENT", alias[h.text], edition_before(text, h.start), "event table"))
    endings = r["quoted_endings"]
    follower_rx, follower_any, reach = r["follower_rx"], r["follower_any"], r["follower_reach"]
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if inner in alias:
            continue
        follow = None
        if not inner.endswith(endings):
            after = m.end()
            if follower_any.search(text, after, after + reach) is None:
                continue  # no event word close enough after the closing quote
            follow = follower_rx.match(text, after)
            if follow is None:
                continue
        lead = _LEADING.match(inner)
        cut = lead.end() if lead else 0
        s = m.start(1) + cut
        name = text[s:m.end(1)]
        if len(name) < r["quoted_min"] or _context.is_generic(name):
            continue
        year = int(lead.group(1)) if lead and lead.group(1) else edition_before(text, m.start())
        if follow is not None:  # “一碗饺子温暖一座城”冬至节关爱活动
            out.append(Name(s, m.end(1), name, "EVENT", name + follow.group(), year,
                            rule="quoted name before an event word"))
        else:
            out.append(Name(s, m.end(1), name, "EVENT", name, year, rule="quoted name with event ending"))
    hits_by_start: dict[int, PlaceHit] | None = None
    floor = 0
    for m in lex:
        if "event" in m.tags:
            floor = m.end  # 亚布力中国企业家论坛|乡村振兴分论坛: a name never swallows the one before
            continue
        if "event_suffix" not in m.tags:
            continue
        s = _context.name_start(text, m.start, floor)
        floor = m.end
        raw = text[s:m.end]
        lead = _LEADING.match(raw)
        cut = lead.end() if lead else 0
        s += cut
        name = text[s:m.end]
        if m.start - s < _context.min_core() or _context.is_generic(name):
            continue
        year = int(lead.group(1)) if lead and lead.group(1) else edition_before(text, s)
        if hits_by_start is None:
            hits_by_start = {h.start: h for h in hits}
        canon = _drop_parent_places(name, s, hits_by_start)
        out.append(Name(s, m.end, name, "EVENT", r["alias"].get(canon, canon), year, rule="event suffix"))
    return out
