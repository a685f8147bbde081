"""Publication dates: from the page header / byline zone, HTML metadata, or the URL.

Only dates in the first lines (the header zone) count, and only on lines that are header lines
(a label such as 时间/来源/星期, or little else on the line): a body sentence that starts with a
date ("2021年12月20日,国家发展改革委…") is not the publication date. Forms live in
``data/ingest.toml``.
"""

from __future__ import annotations

import re
import re._parser as _sre_parse
from datetime import date

from jinlong_extract.data import load_table

_D = load_table("ingest")["dates"]
_PATTERNS = [re.compile(p["re"]) for p in _D["pattern"]]
_URL = re.compile(load_table("ingest")["url"]["re"])
_TIME = re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?")
_WEEKDAY = re.compile(r"(?:星期|周|禮拜|礼拜)[一二三四五六日天]")
_CLAUSE_CHARS = "，,。;；"
_CLAUSE = re.compile(f"[{_CLAUSE_CHARS}]")
_LO, _HI = _D["years"]
# Guards derived from the parsed date patterns (checked structurally, so a future pattern that
# breaks an assumption only turns its guard off):
#
# * every form has a top-level group starting with the alternation 19|20, so a line holding
#   neither "19" nor "20" cannot hold a date (str.__contains__ is a fast C search; the patterns
#   would scan the line three times);
# * no form can match clause punctuation, so a line without a label holding clause punctuation
#   anywhere is a body line (date_in_line answers None for it whatever the patterns find).
_YEAR_ALTERNATION = [[(_sre_parse.LITERAL, ord(a)), (_sre_parse.LITERAL, ord(b))] for a, b in ("19", "20")]


def _requires_year(pattern: str) -> bool:
    """Whether every match of ``pattern`` contains "19" or "20" (a top-level group opening with 19|20)."""
    for op, av in _sre_parse.parse(pattern):
        if op is _sre_parse.SUBPATTERN and av[3]:
            first_op, first_av = av[3][0]
            if first_op is _sre_parse.BRANCH and sorted(map(list, first_av[1])) == _YEAR_ALTERNATION:
                return True
    return False


def _may_match_clause(seq) -> bool:  # type: ignore[no-untyped-def]
    """Whether a parsed pattern could match one of the clause characters (conservative:
    anything not understood answers yes; lookbehinds and lookaheads consume nothing)."""
    clause = [ord(c) for c in _CLAUSE_CHARS]
    for op, av in seq:
        if op is _sre_parse.LITERAL:
            if av in clause:
                return True
        elif op is _sre_parse.IN:
            for item_op, item_av in av:
                if item_op is _sre_parse.LITERAL and item_av in clause:
                    return True
                if item_op is _sre_parse.RANGE and any(item_av[0] <= c <= item_av[1] for c in clause):
                    return True
                if item_op is _sre_parse.NEGATE or (item_op is _sre_parse.CATEGORY and item_av is not _sre_parse.CATEGORY_DIGIT and item_av is not _sre_parse.CATEGORY_SPACE):
                    return True
        elif op is _sre_parse.SUBPATTERN:
            if _may_match_clause(av[3]):
                return True
        elif op is _sre_parse.BRANCH:
            if any(_may_match_clause(alt) for alt in av[1]):
                return True
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT, _sre_parse.POSSESSIVE_REPEAT):
            if _may_match_clause(av[2]):
                return True
        elif op in (_sre_parse.ASSERT, _sre_parse.ASSERT_NOT, _sre_parse.AT):
            continue
        else:  # ANY, NOT_LITERAL, group references, ...
            return True
    return False


_YEAR_GUARD = all(_requires_year(p["re"]) for p in _D["pattern"])
_CLAUSE_GUARD = not any(_may_match_clause(_sre_parse.parse(p["re"])) for p in _D["pattern"])


def _iso(y: str | int, m: str | int, d: str | int) -> str | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    if not _LO <= value.year <= _HI:
        return None
    return value.isoformat()


def _header_lines(text: str) -> list[str]:
    lines: list[str] = []
    used = 0
    for line in text[: _D["zone_chars"] * 2].split("\n"):
        line = line.strip()
        if not line:
            continue
        lines.append(line[: _D["zone_chars"]])
        used += len(line)
        if len(lines) >= _D["zone_lines"] or used >= _D["zone_chars"]:
            break
    return lines


def date_in_line(line: str) -> str | None:
    """The date on one header line, if the line is a header line.

    >>> date_in_line("来源: 天津日报 作者:孟兴 编辑:刘颖 2020-04-20 08:27:50")
    '2020-04-20'
    >>> date_in_line("2021年12月20日,国家发展改革委等四部委批复启动全国一体化算力网络国家枢纽") is None
    True
    """
    if _YEAR_GUARD and "20" not in line and "19" not in line:
        return None
    labelled = any(label in line for label in _D["labels"])
    if _CLAUSE_GUARD and not labelled and _CLAUSE.search(line) is not None:
        return None
    for pat in _PATTERNS:
        m = pat.search(line)
        if m is None:
            continue
        iso = _iso(m["y"], m["m"], m["d"])
        if iso is None:
            continue
        rest = line[: m.start()] + " " + line[m.end() :]
        if labelled:
            return iso
        rest = _WEEKDAY.sub("", _TIME.sub("", rest)).strip()
        if len(rest) <= _D["max_rest_chars"] and _CLAUSE.search(rest) is None:
            return iso
        return None
    return None


def find_publication_date(text: str) -> str | None:
    """Publication date (ISO) from the header zone of a normalised article or page, else None.

    >>> find_publication_date("津和相拥情意深\\n\\n07.04.2016  12:32\\n\\n  自2010年,新一轮对口援疆工作启动以来")
    '2016-04-07'
    >>> find_publication_date("- 時間:2023-03-06\\n- 來源:國家鄉村振興局")
    '2023-03-06'
    """
    for line in _header_lines(text):
        iso = date_in_line(line)
        if iso:
            return iso
    return None


def date_from_url(url: str) -> str | None:
    """A date written into a URL path (``/2020/04/20/``, ``/20160830/``, ``t20240427_``).

    >>> date_from_url("https://www.ts.cn/xwzx/jjxw/202404/t20240427_20656358.shtml")
    '2024-04-27'
    """
    for m in _URL.finditer(url):
        iso = _iso(m["y"], m["m"], m["d"])
        if iso:
            return iso
    return None


def date_from_html(html: str) -> str | None:
    """Publication date from HTML metadata (``htmldate``, imported lazily), else None."""
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - htmldate is a declared dependency
        return None
    try:
        found = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate raises assorted parser errors on broken pages
        return None
    if not found:
        return None
    y, m, d = found.split("-")
    return _iso(y, m, d)
