"""Split a normalised page into articles, each with its headline and date.

A newspaper page (``corpus/004``) carries several stories, each a short headline line followed
by a byline (``本报庆阳讯(新甘肃·甘肃日报记者 安志鹏)`` or a line ``新甘肃·甘肃日报记者 王君洁``).
Every byline after the first opens a new article that starts at its headline; the first byline
never splits (whatever is above it is that story's header zone). Patterns in ``data/ingest.toml``.
"""

from __future__ import annotations

import re
import re._parser as _sre_parse
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from jinlong_extract.data import load_table
from jinlong_extract.ingest.dates import date_in_line, find_publication_date

_A = load_table("ingest")["articles"]
_BYLINES = [re.compile(p) for p in _A["byline"]]
#: all byline patterns in one: ``match`` succeeds exactly when one of them does
_BYLINE = re.compile("|".join(f"(?:{p})" for p in _A["byline"]))


def _required_literal(pattern: str) -> str | None:
    """A character every match of ``pattern`` contains (a top-level literal), or None."""
    parsed = _sre_parse.parse(pattern)
    if parsed.state.flags & re.I:
        return None
    return next((chr(av) for op, av in parsed if op is _sre_parse.LITERAL), None)


# A line holding none of these characters matches no byline pattern (a C substring test
# instead of the patterns' backtracking over every line of the page).
_BYLINE_NEEDS = [_required_literal(p) for p in _A["byline"]]
if None in _BYLINE_NEEDS:  # pragma: no cover - depends on the rule table
    _BYLINE_NEEDS = []
_PLUS_ONE = (1).__add__
_BYLINE_DATE = re.compile(_A["byline_date"])
_LABEL = re.compile("(?:" + "|".join(load_table("ingest")["dates"]["labels"]) + r")\s*[:：]")


@dataclass(slots=True)
class Span:
    """One article as found in the normalised text."""

    start: int
    end: int
    headline: str | None
    date: str | None


def _is_byline(line: str) -> bool:
    if _BYLINE_NEEDS and not any(c in line for c in _BYLINE_NEEDS):
        return False
    return _BYLINE.match(line) is not None


def _has_byline(text: str, boilerplate: list[tuple[int, int]]) -> bool:
    """Whether some non-boilerplate line is a byline; only lines holding a character every
    byline needs are matched, found with ``str.find`` over the whole text."""
    if not _BYLINE_NEEDS:  # pragma: no cover - depends on the rule table
        return any(_is_byline(q) for _, _, q in _iter_lines(text, boilerplate))
    for c in set(_BYLINE_NEEDS):
        pos = text.find(c)
        while pos >= 0:
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            if not (boilerplate and _covered(start, end, boilerplate)) and _BYLINE.match(text[start:end].strip()):
                return True
            pos = text.find(c, end)
    return False


def _byline_indexes(text: str, lines: list[tuple[int, int, str]]) -> list[int]:
    """Indexes of the byline lines among ``lines`` (found as in :func:`_has_byline`)."""
    if not _BYLINE_NEEDS:  # pragma: no cover - depends on the rule table
        return [i for i, ln in enumerate(lines) if _BYLINE.match(ln[2])]
    line_starts = [ln[0] for ln in lines]
    found: set[int] = set()
    for c in set(_BYLINE_NEEDS):
        pos = text.find(c)
        while pos >= 0:
            k = bisect_right(line_starts, pos) - 1
            if k >= 0 and pos < lines[k][1]:
                found.add(k)
                pos = text.find(c, lines[k][1])  # the rest of this line is settled
            else:
                pos = text.find(c, pos + 1)  # a blank or boilerplate line: not in ``lines``
    return sorted(k for k in found if _BYLINE.match(lines[k][2]))


def _iter_lines(text: str, boilerplate: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """(start, end, stripped text) of the non-blank lines outside ``boilerplate``, lazily."""
    pos = 0
    n = len(text)
    while pos <= n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        q = text[pos:end].strip()
        if q and not (boilerplate and _covered(pos, end, boilerplate)):
            yield pos, end, q
        pos = end + 1


def _covered(s: int, e: int, ranges: list[tuple[int, int]]) -> bool:
    """Whether [s, e) lies inside one of the sorted, merged ``ranges``."""
    k = bisect_right(ranges, (s, 1 << 62)) - 1
    return k >= 0 and ranges[k][0] <= s and e <= ranges[k][1]


def _headline_above(lines: list[tuple[int, int, str]], i: int, floor: int) -> int | None:
    """Index of the headline line above byline line ``i`` (not above line ``floor``)."""
    j = i - 1
    if j >= floor and len(lines[j][2]) <= _A["name_max_chars"] and lines[j][2] in lines[i][2]:
        j -= 1  # the reporter's name on its own line above the byline naming them (000: 王睿)
    while j >= floor and len(lines[j][2]) <= _A["headline_max_chars"]:
        if not lines[j][2].startswith("——") or j == floor:
            return j
        j -= 1  # a "——subtitle" line: the headline is above it
    return None


def split_articles(text: str, boilerplate: list[tuple[int, int]] | None = None, doc_date: str | None = None) -> list[Span]:
    """Articles of a normalised document (at least one, covering the whole text).

    >>> page = "第一篇的标题\\n新甘肃·甘肃日报记者 甲乙\\n正文一。\\n第二篇的标题\\n本报兰州12月21日讯(记者 丙丁)正文二。"
    >>> [(page[a.start:a.end].split("\\n")[0], a.headline, a.date) for a in split_articles(page, doc_date="2024-12-22")]
    [('第一篇的标题', '第一篇的标题', '2024-12-22'), ('第二篇的标题', '第二篇的标题', '2024-12-21')]
    """
    boilerplate = boilerplate or []
    if not _has_byline(text, boilerplate):
        # a single article (what the loop below gives without bylines); its headline is
        # near the top, so the lines are only read that far
        return [Span(0, len(text), _first_headline(_iter_lines(text, boilerplate), 0, len(text)), doc_date)]
    parts = text.split("\n")
    starts_at = accumulate(map(_PLUS_ONE, map(len, parts)), initial=0)
    # (start, end, stripped text) of every non-blank line
    lines = [(a, a + len(p), q) for a, p, q in zip(starts_at, parts, map(str.strip, parts)) if q]
    if boilerplate:
        lines = [ln for ln in lines if not _covered(ln[0], ln[1], boilerplate)]
    bylines = _byline_indexes(text, lines)
    starts: list[tuple[int, int | None, int | None]] = []  # (text offset, headline line, byline line)
    floor = 0
    for k, i in enumerate(bylines):
        if k == 0:
            starts.append((0, _headline_above(lines, i, 0), i))
            floor = i + 1
            continue
        h = _headline_above(lines, i, floor)
        if h is None:
            continue
        starts.append((lines[h][0], h, i))
        floor = i + 1
    if not starts:
        starts.append((0, None, None))
    spans: list[Span] = []
    for n, (start, h, b) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        headline = lines[h][2] if h is not None else _first_headline(lines, start, end)
        date = None
        if b is not None:
            date = date_in_line(lines[b][2])
            bm = _BYLINE_DATE.search(lines[b][2])
            if date is None and bm and doc_date:
                date = _with_year(doc_date, int(bm["m"]), int(bm["d"]))
        if date is None and n > 0:
            date = find_publication_date(text[start:end][:400]) if h is None else None
        spans.append(Span(start, end, headline, date or doc_date))
    return spans


def _with_year(doc_date: str, month: int, day: int) -> str | None:
    from datetime import date

    y = int(doc_date[:4])
    try:
        d = date(y, month, day)
    except ValueError:
        return None
    if d.isoformat() > doc_date:  # a December story on a January page is last year's
        try:
            d = date(y - 1, month, day)
        except ValueError:
            return None
    return d.isoformat()


def _first_headline(lines: Iterable[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The first headline-like line starting in [start, end) of the sorted ``lines``."""
    if isinstance(lines, list):
        lines = lines[bisect_left(lines, (start,)) :]
    for s, _, line in lines:
        if s < start:
            continue
        if s >= end:
            break
        if (
            4 <= len(line) <= _A["headline_max_chars"]
            and not line.endswith("。")
            and date_in_line(line) is None
            and not _is_byline(line)
            and _LABEL.search(line) is None
        ):
            return line
    return None
