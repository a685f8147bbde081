"""The subject of a figure: the organisation, place or event its clause is about."""

from __future__ import annotations

import re

from jinlong_extract import records

_TITLE_SPAN = re.compile(r"《[^《》\n]{1,80}》")
#: prepositions that make the following name an object/place of the action, not its subject
_NOT_SUBJECT_BEFORE = frozenset("向在与从对为给到赴至于和及同跟把被")


def subject_of(
    mentions: list[records.Mention], start: int, end: int, sentence_start: int, text: str | None = None
) -> records.Mention | None:
    """The ORG / LOC / EVENT a figure's clause is about, or None.

    Candidates are the article's mentions between ``sentence_start`` and the figure ``start``
    (offsets into the same text); a place inside a name (天津 in 天津港峰门窗公司) is not one.

    * With ``text`` (the article text the offsets point into — pass it when you can): names
      inside 《…》 and names right after a preposition (``向甘肃投入…``: the recipient) are
      skipped; the figure's clause (up to the last ，；：) is searched first, then the clauses
      before it; in a clause the first ORG / EVENT wins, else its first place (the subject
      stands at the clause start: ``我市各类企业采购、帮助销售甘肃农特产品超20亿元`` → 我市).
    * Without ``text``: the nearest preceding candidate, except that an ORG / EVENT standing
      within a few characters before a bare LOC is preferred (``天津港峰门窗公司在灵台县建设…``).

    >>> from jinlong_extract.entities import find_mentions
    >>> t = "天津港峰门窗公司在灵台县建设年产30万平米节能门窗生产加工基地项目。"
    >>> ms = find_mentions(t)
    >>> subject_of(ms, 15, 20, 0).text, subject_of(ms, 15, 20, 0, text=t).text
    ('天津港峰门窗公司', '天津港峰门窗公司')
    """
    cands = [m for m in mentions if m.type in ("ORG", "LOC", "EVENT")
             and sentence_start <= m.start and m.end <= start]
    # a place inside a name (天津 in 天津港峰门窗公司) is not the clause's subject: the name is
    cands = [m for m in cands if not any(o is not m and o.start <= m.start and m.end <= o.end
                                         and (o.end - o.start) > (m.end - m.start) for o in cands)]
    if not cands:
        return None
    cands.sort(key=lambda m: (m.start, m.end))
    if text is not None:
        return _subject_in_clauses(cands, text, sentence_start, start)
    best = max(cands, key=lambda m: m.end)
    if best.type == "LOC":
        for m in reversed(cands):
            if m is best:
                continue
            if m.type in ("ORG", "EVENT") and 0 <= best.start - m.end <= 4:
                return m
    return best


_CLAUSE_END = re.compile(r"[，,；;：:]")


def _subject_in_clauses(cands: list[records.Mention], text: str, lo: int, start: int) -> records.Mention | None:
    if "《" in text[lo:start]:
        titles = [mm.span() for mm in _TITLE_SPAN.finditer(text, lo, start)]
        cands = [m for m in cands if not any(a < m.start and m.end < b for a, b in titles)]
    direct = [m for m in cands if not (m.start > 0 and text[m.start - 1] in _NOT_SUBJECT_BEFORE)]
    bounds = [lo] + [mm.end() for mm in _CLAUSE_END.finditer(text, lo, start)]
    hi = start
    for cs in reversed(bounds):
        in_clause = [m for m in direct if cs <= m.start and m.end <= hi]
        if in_clause:
            names = [m for m in in_clause if m.type != "LOC"]
            return (names or in_clause)[0]
        hi = cs
    return None
