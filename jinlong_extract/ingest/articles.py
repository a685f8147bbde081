"""Split a normalised page into articles, each with its headline and date.

A newspaper page (``corpus/004``) carries several stories, each a short headline line followed
by a byline (``本报庆阳讯(新甘肃·甘肃日报记者 安志鹏)`` or a line ``新甘肃·甘肃日报记者 王君洁``).
Every byline after the first opens a new article that starts at its headline; the first byline
never splits (whatever is above it is that story's header zone). Patterns in ``data/ingest.toml``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from jinlong_extract.data import load_table
from jinlong_extract.ingest.dates import date_in_line, find_publication_date

_A = load_table("ingest")["articles"]
_BYLINES = [re.compile(p) for p in _A["byline"]]
_BYLINE_DATE = re.compile(_A["byline_date"])
_LINE = re.compile(r"[^\n]+")
_LABEL = re.compile("(?:" + "|".join(load_table("ingest")["dates"]["labels"]) + r")\s*[:：]")


@dataclass(slots=True)
class Span:
    """One article as found in the normalised text."""

    start: int
    end: int
    headline: str | None
    date: str | None


def _is_byline(line: str) -> bool:
    return any(p.match(line) for p in _BYLINES)


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
    lines = [(m.start(), m.end(), m.group().strip()) for m in _LINE.finditer(text)]
    lines = [ln for ln in lines if ln[2] and not _covered(ln[0], ln[1], boilerplate)]
    bylines = [i for i, ln in enumerate(lines) if _is_byline(ln[2])]
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


def _first_headline(lines: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    for s, _, line in lines:
        if s < start or s >= end:
            continue
        if (
            4 <= len(line) <= _A["headline_max_chars"]
            and not line.endswith("。")
            and date_in_line(line) is None
            and not _is_byline(line)
            and _LABEL.search(line) is None
        ):
            return line
    return None
