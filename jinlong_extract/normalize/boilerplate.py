"""Boilerplate ranges: navigation, share widgets, copyright footers, page counters.

Patterns live in ``data/boilerplate.toml`` (each with the reason it is there) and run over the
normalised text. Headline lists are deliberately not boilerplate (the gold counts their figures).
"""

from __future__ import annotations

import re

from jinlong_extract.data import load_table

_ENTRIES = load_table("boilerplate")["pattern"]
#: every pattern alone, for :func:`is_boilerplate_line`
_PATTERNS: list[re.Pattern[str]] = [re.compile(p["re"], re.M) for p in _ENTRIES]
# Line-start patterns: one alternation tried once per line start (a "^" pattern given to
# finditer would be tried at every character of the document).
_ANCHORED = re.compile(
    "|".join(f"(?:{p['re'][1:]})" for p in _ENTRIES if p["re"].startswith("^")), re.M
)
# Anywhere patterns: each starts with a literal, so a separate scan per pattern is fast (one
# alternation of them all defeats the engine's literal-prefix skip and is ten times slower).
_FLOATING = [(re.compile(p["re"], re.M), bool(p.get("whole_line"))) for p in _ENTRIES if not p["re"].startswith("^")]
_NEWLINE = re.compile("\n")


def merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping or touching half-open ranges.

    >>> merge_ranges([(5, 9), (0, 2), (2, 3), (8, 12)])
    [(0, 3), (5, 12)]
    """
    out: list[tuple[int, int]] = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def find_boilerplate(text: str) -> list[tuple[int, int]]:
    """Half-open ranges of ``text`` that are page furniture, merged and sorted.

    >>> t = "正文1400万元。\\n微信扫描阅读手机版\\n版权说明:天津日报报业集团所属10报2刊"
    >>> [t[s:e] for s, e in find_boilerplate(t)]
    ['微信扫描阅读手机版', '版权说明:天津日报报业集团所属10报2刊']
    """
    ranges: list[tuple[int, int]] = []
    match = _ANCHORED.match
    starts = [0]
    starts.extend(m.end() for m in _NEWLINE.finditer(text))
    for pos in starts:
        m = match(text, pos)
        if m is not None and m.end() > pos:
            ranges.append(_trim(text, pos, m.end()))
    for pat, whole_line in _FLOATING:
        pos = 0
        while (m := pat.search(text, pos)) is not None:
            s, e = m.span()
            if whole_line:
                s = text.rfind("\n", 0, s) + 1
                nl = text.find("\n", e)
                e = len(text) if nl < 0 else nl
            ranges.append(_trim(text, s, e))
            pos = max(e, m.end(), s + 1)  # the rest of a whole line is covered already
    return merge_ranges(ranges)


def is_boilerplate_line(line: str) -> bool:
    """Whether a single line (without its newline) is boilerplate from start to end.

    >>> is_boilerplate_line("微信扫描阅读手机版"), is_boilerplate_line("签约112个项目")
    (True, False)
    """
    line = line.strip()
    if not line:
        return False
    return find_boilerplate(line) == [(0, len(line))]
