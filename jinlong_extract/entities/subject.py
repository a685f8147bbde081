"""The subject of a figure: the organisation, place or event its clause is about."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
import operator
import re

import regex

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


_SUBJECT_TYPES = frozenset(("ORG", "LOC", "EVENT"))
_START_END = operator.attrgetter("start", "end")
_LAST_CLAUSE_END = regex.compile(r"(?r)[，,；;：:]")


class ArticleSubjects:
    """``subject_of`` for many figures of one article.

    ``ArticleSubjects(mentions, text)(start, end, sentence_start)`` is
    ``subject_of(mentions, start, end, sentence_start, text=text)``, but the candidates are sorted
    once, and what does not depend on the figure is worked out once per candidate (on first use):
    whether it can be a subject at all (not after a preposition, not across a clause mark), where
    its clause starts, and which longer candidates of its sentence contain it. A figure then looks
    at the candidates of its sentence from the last one back, and stops at the end of the last
    clause that has a subject; a later figure of the same sentence with no candidate ending in
    between gets the same answer.

    ``clause_marks`` (optional): the sorted positions of the clause marks ，,；;：: in the sentence
    from ``sentence_start`` on, if the caller has them.
    """

    __slots__ = ("text", "cands", "starts", "ends", "info", "last")

    def __init__(self, mentions: list[records.Mention], text: str) -> None:
        self.text = text
        cands = [m for m in mentions if m.type in _SUBJECT_TYPES]
        cands.sort(key=_START_END)  # stable: ties keep the mentions' order
        self.cands = cands
        self.starts = [m.start for m in cands]
        self.ends = sorted([m.end for m in cands])
        self.info: list[tuple | None] = [None] * len(cands)
        #: the last question and its answer: (sentence_start, start, subject)
        self.last: tuple = (-1, -1, None)

    def _info(self, x: int, lo: int, marks: list[int] | None) -> tuple[int, bool, int, tuple]:
        """(lo, usable, clause start, containers) of cands[x], a candidate of the sentence at ``lo``."""
        text, cands, starts = self.text, self.cands, self.starts
        m = cands[x]
        ms, me = m.start, m.end
        # a name right after a preposition (向甘肃投入…) is the recipient, not the subject; a name
        # with a clause mark inside fits no clause
        usable = not (ms > 0 and text[ms - 1] in _NOT_SUBJECT_BEFORE)
        if marks is None:
            usable = usable and _CLAUSE_END.search(text, ms, me - 1) is None
            mark = _LAST_CLAUSE_END.search(text, lo, ms)
            clause_start = mark.end() if mark else lo
        else:
            k = bisect_left(marks, ms)
            usable = usable and not (k < len(marks) and marks[k] < me - 1)
            clause_start = marks[k - 1] + 1 if k and marks[k - 1] >= lo else lo
        # who may contain it: the longer candidates of the sentence that start no later
        found = []
        k = bisect_right(starts, ms) - 1
        while k >= 0 and starts[k] >= lo:
            o = cands[k]
            if o.end >= me and (o.end - o.start) > (me - ms):
                found.append(o)
            k -= 1
        info = self.info[x] = (lo, usable, clause_start, found)
        return info

    def __call__(self, start: int, end: int, sentence_start: int,
                 clause_marks: list[int] | None = None) -> records.Mention | None:
        lo = sentence_start
        text = self.text
        titles = None
        if text.find("《", lo, start) >= 0:
            titles = [mm.span() for mm in _TITLE_SPAN.finditer(text, lo, start)]
        else:
            last_lo, last_start, last = self.last
            if last_lo == lo and last_start <= start and (
                    bisect_right(self.ends, start) == bisect_right(self.ends, last_start)):
                self.last = (lo, start, last)
                return last
        starts = self.starts
        i = bisect_left(starts, lo)
        j = bisect_right(starts, start)
        cands, info = self.cands, self.info
        # clause starts (from lo) never decrease along the candidates: the last usable candidate is
        # in the last clause with a subject; in it the first ORG / EVENT wins, else the first one
        first = name = None
        clause = -1
        for x in range(j - 1, i - 1, -1):
            m = cands[x]
            if m.end > start:
                continue
            inf = info[x]
            if inf is None or inf[0] != lo:
                inf = self._info(x, lo, clause_marks)
            _, usable, cs, containers = inf
            if cs < clause:
                break
            if not usable:
                continue
            # a place inside a name (天津 in 天津港峰门窗公司) is not the clause's subject: the name is
            if containers and any(o.end <= start for o in containers):
                continue
            if titles and any(a < m.start and m.end < b for a, b in titles):
                continue
            clause = cs
            first = m
            if m.type != "LOC":
                name = m
        best = name or first
        self.last = (lo, start, best)
        return best


#: ``attribute`` asks for the per-article form (see :class:`ArticleSubjects`)
subject_of.for_article = ArticleSubjects  # type: ignore[attr-defined]
