"""Boilerplate ranges: navigation, share widgets, copyright footers, page counters.

Patterns live in ``data/boilerplate.toml`` (each with the reason it is there) and run over the
normalised text. Headline lists are deliberately not boilerplate (the gold counts their figures).
"""

from __future__ import annotations

import re
import re._parser as _sre_parse

from jinlong_extract.data import load_table

_ENTRIES = load_table("boilerplate")["pattern"]
#: every pattern alone, for :func:`is_boilerplate_line`
_PATTERNS: list[re.Pattern[str]] = [re.compile(p["re"], re.M) for p in _ENTRIES]

_BLANKS = " \t"


# Whether a class category holds the blanks " " and "\t" (categories not listed: unknown).
_CATEGORY_HAS_BLANKS = {
    _sre_parse.CATEGORY_SPACE: True,
    _sre_parse.CATEGORY_NOT_SPACE: False,
    _sre_parse.CATEGORY_DIGIT: False,
    _sre_parse.CATEGORY_NOT_DIGIT: True,
    _sre_parse.CATEGORY_WORD: False,
    _sre_parse.CATEGORY_NOT_WORD: True,
}


def _covers(items: list, ch: str, *, surely: bool) -> bool:
    """Whether the items of a parsed character class (without NEGATE) match ``ch``: surely
    (``surely=True``) or possibly (``surely=False``, unknown categories count)."""
    o = ord(ch)
    for op, av in items:
        if op is _sre_parse.LITERAL and av == o:
            return True
        if op is _sre_parse.RANGE and av[0] <= o <= av[1]:
            return True
        if op is _sre_parse.CATEGORY:
            has = _CATEGORY_HAS_BLANKS.get(av)
            if has or (has is None and not surely):
                return True
    return False


def _starts_blank(seq) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    """(may a match of the parsed sequence start with a space or tab, may it be empty);
    conservative: unknown constructs answer "may start with a blank"."""
    for op, av in seq:
        if op is _sre_parse.LITERAL:
            blank, empty = chr(av) in _BLANKS, False
        elif op is _sre_parse.IN:
            negate = bool(av) and av[0][0] is _sre_parse.NEGATE
            if negate:  # a blank is excluded only when the negated items surely hold it
                blank = not all(_covers(av[1:], c, surely=True) for c in _BLANKS)
            else:
                blank = any(_covers(av, c, surely=False) for c in _BLANKS)
            empty = False
        elif op is _sre_parse.BRANCH:
            results = [_starts_blank(alt) for alt in av[1]]
            blank, empty = any(b for b, _ in results), any(e for _, e in results)
        elif op is _sre_parse.SUBPATTERN:
            blank, empty = _starts_blank(av[3])
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT, _sre_parse.POSSESSIVE_REPEAT):
            blank, empty = _starts_blank(av[2])
            empty = empty or av[0] == 0
        elif op is _sre_parse.ATOMIC_GROUP:
            blank, empty = _starts_blank(av)
        elif op is _sre_parse.AT:
            blank, empty = False, True
        else:
            return True, False
        if blank:
            return True, False
        if not empty:
            return False, False
    return False, True


def _literal_prefixes(pattern: str) -> list[str] | None:
    """Literal strings one of which every match of ``pattern`` starts with (the leading
    literals of each top-level alternative), or None when some alternative has none."""
    parsed = _sre_parse.parse(pattern, re.M)
    if parsed.state.flags & re.I:
        return None
    seq = list(parsed)
    alts = seq[0][1][1] if len(seq) == 1 and seq[0][0] is _sre_parse.BRANCH else [seq]
    out = []
    for alt in alts:
        lit = []
        for op, av in alt:
            if op is not _sre_parse.LITERAL:
                break
            lit.append(chr(av))
        if not lit:
            return None
        out.append("".join(lit))
    return out


# Line-start patterns: one alternation tried once per line start (a "^" pattern given to
# finditer would be tried at every character of the document). When every one starts with
# "^[ \t]*" and what follows can never start with a blank, the blanks are matched once before
# the alternation (the same matches: each alternative can only start after all the blanks), and
# the regex engine then rejects most alternatives on their first literal.
_ANCHORED_SRC = [p["re"][1:] for p in _ENTRIES if p["re"].startswith("^")]
_LEAD = "[ \\t]*"
_RESTS = [src[len(_LEAD):] for src in _ANCHORED_SRC if src.startswith(_LEAD)]
if len(_RESTS) == len(_ANCHORED_SRC) and not any(_starts_blank(_sre_parse.parse(r, re.M))[0] for r in _RESTS):
    _ANCHORED = re.compile(_LEAD + "(?:" + "|".join(f"(?:{r})" for r in _RESTS) + ")", re.M)
else:  # pragma: no cover - depends on the rule table
    _ANCHORED = re.compile("|".join(f"(?:{src})" for src in _ANCHORED_SRC), re.M)
# The same alternation led by the line break before it: finditer then jumps from "\n" to "\n"
# with the engine's literal scan (see _anchored_ranges for the line starts a match hides).
_ANCHORED_NL = re.compile("\n(?:" + _ANCHORED.pattern + ")", re.M)
# Anywhere patterns: each starts with a literal, so a separate scan per pattern is fast (one
# alternation of them all defeats the engine's literal-prefix skip and is ten times slower).
# An alternation ("Copyright|版权所有") has no single literal prefix for the engine to skip to:
# it carries the literals one of which every match starts with, and a document holding none of
# them is skipped with C substring searches (each about as fast as a literal-prefix scan).
_FLOATING = [
    (re.compile(p["re"], re.M), bool(p.get("whole_line")), lits if lits and len(lits) > 1 else None)
    for p in _ENTRIES
    if not p["re"].startswith("^")
    for lits in [_literal_prefixes(p["re"])]
]
# For a single stripped line: any non-whole-line pattern matching at its start (a range must
# start there for the line to be boilerplate from start to end), and any whole-line pattern
# matching anywhere in it.
_LINE_START = re.compile(
    "|".join([f"(?:{src})" for src in _ANCHORED_SRC] + [f"(?:{p.pattern})" for p, whole, _ in _FLOATING if not whole]),
    re.M,
)
_WHOLE_LINE = re.compile("|".join(f"(?:{p.pattern})" for p, whole, _ in _FLOATING if whole), re.M)
# The first characters of the whole-line patterns' literal prefixes: a line holding none of
# them matches no whole-line pattern (one class scan instead of the alternation at every position).
_WHOLE_PREFIXES = [_literal_prefixes(p.pattern) for p, whole, _ in _FLOATING if whole]
_WHOLE_FIRST = (
    re.compile("[" + "".join(sorted({re.escape(lit[0]) for lits in _WHOLE_PREFIXES for lit in lits})) + "]")  # type: ignore[union-attr]
    if _WHOLE_PREFIXES and None not in _WHOLE_PREFIXES
    else None
)


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


def _anchored_ranges(text: str) -> list[tuple[int, int]]:
    """(line start, end) of every non-empty ``_ANCHORED`` match at a line start."""
    out: list[tuple[int, int]] = []
    m = _ANCHORED.match(text)
    if m is not None and m.end() > 0:
        out.append((0, m.end()))
    for m in _ANCHORED_NL.finditer(text):
        pos, end = m.start() + 1, m.end()
        if end > pos:
            out.append((pos, end))
        # a match running over line breaks (\s+ in a pattern) hides the line starts inside it
        # from finditer: try those one by one
        q = text.find("\n", pos, end)
        while q >= 0:
            inner = _ANCHORED.match(text, q + 1)
            if inner is not None and inner.end() > q + 1:
                out.append((q + 1, inner.end()))
            q = text.find("\n", q + 1, end)
    return out


def find_boilerplate(text: str) -> list[tuple[int, int]]:
    """Half-open ranges of ``text`` that are page furniture, merged and sorted.

    >>> t = "正文1400万元。\\n微信扫描阅读手机版\\n版权说明:天津日报报业集团所属10报2刊"
    >>> [t[s:e] for s, e in find_boilerplate(t)]
    ['微信扫描阅读手机版', '版权说明:天津日报报业集团所属10报2刊']
    """
    ranges = [_trim(text, pos, end) for pos, end in _anchored_ranges(text)]
    for pat, whole_line, literals in _FLOATING:
        if literals is not None and not any(lit in text for lit in literals):
            continue
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
    if "\n" not in line and _LINE_START.match(line) is None:
        # no range can start at 0: boilerplate only if a whole-line pattern matches somewhere
        if _WHOLE_FIRST is not None and _WHOLE_FIRST.search(line) is None:
            return False
        return _WHOLE_LINE.search(line) is not None
    return find_boilerplate(line) == [(0, len(line))]
