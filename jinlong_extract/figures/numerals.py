"""The numerals layer: find every number in a text and give its value.

Everything figures are built on starts here. Four regex *sources* (for the ``regex`` module,
no capturing groups, no VERBOSE, usable inside larger patterns) are generated once at import
from ``data/numerals.toml``:

* :data:`NUMERAL` — one numeral as written in Chinese news, unsigned, without qualifiers:

  - Arabic integers and decimals, half or full width, with thousands separators only before
    exactly three digits (``1,100``, ``10,000.233``, ``４，５６５``; ``1, 234`` is three numbers;
    ``2021.3.15`` is three numbers, not a decimal), and a leading-dot decimal ``.5``;
  - Arabic or Chinese digits with Chinese place units and multipliers: ``1.2万``, ``149.53亿``,
    ``1万亿``, ``3万4000``, ``5亿1万4千6百``, ``2千零30万``, ``10万万``, ``一千两百三十四万``,
    ``四亿五千六百四十二万零一十五``, ``五兆六十二亿``, 大写 ``肆佰陸拾``;
  - abbreviated tails ``四百五`` (450), ``九万四`` (94 000), ``百三`` (130), ``千三`` (1300);
  - Chinese decimals ``三点五``, ``两千万点五五四四`` and ``三点五亿`` (a multiplier after the
    decimal scales the whole number); a 点 followed by 十/分/秒 is a clock time, not a decimal;
  - digit-by-digit Chinese of three or more digits: ``二〇二四``, ``一九九一``;
  - a bare 百/千/万/亿 only after 近/上/超/逾/过/破/数/几/成/分之 (``近百``, ``上万``);
  - the word ``半百``;
  - up to two spaces next to a unit character (``7 万5 千4 百``, ``二十 億``, ``6.8 億``).

  It never matches a lone 万/亿/万万, never swallows 余/多/几 (``1400余万`` -> ``1400``), never
  ends in 零 (``一百零几万`` -> ``一百``), and does not take 千 in 千米/千克/千瓦 nor 兆 in 兆瓦.
* :data:`MULTIPLIER` — a multiplier chain after a numeral or qualifier: 万, 亿, 万亿, 千万, 百亿,
  萬, 億, 兆 (unit guards as above).
* :data:`DIGITS` — a loose run of numeral characters (digits, zeros, units, Arabic digits);
  useful to test whether a span is "all number".
* :data:`NUMBER` — what :func:`find_numbers` scans for: an optionally signed :data:`NUMERAL`
  (负 / 負 / a minus that is not a range or date dash) followed by at most one of: an Arabic
  fraction (``3/5``, ``1 4/3``), an exponent (``2e5``, ``2^-1``), an inner qualifier and
  multiplier (``1400余万``, ``十 余 万``, ``一百零几万`` — value is base × multiplier), or 打
  (dozen: ``五十打`` = 600). Chinese fractions (``三分之一``, ``负３分之负一百五十七``, mixed
  ``十一又十四分之一``) are two or three NUMBER matches that find_numbers joins after the scan
  (scanning them in one pattern repeats NUMERAL and makes the scan four times slower).

Words that merely contain numeral characters (一切, 四川, 十分重要, 陆续, 零售 …) are listed in
``[exclusions]`` of the data table; a match whose first character one of them covers is dropped.

Values are always ``float`` (integers too: ``parse_number("两百") == 200.0``). Arithmetic is
done in :class:`decimal.Decimal`, so ``149.53亿`` is exactly ``14953000000.0``.

>>> [(n.text, n.value) for n in find_numbers("签约112个项目投资149.53亿元")]
[('112', 112.0), ('149.53亿', 14953000000.0)]
>>> parse_number("一千陆"), parse_number("1400余万"), parse_number("四万万")
(1600.0, 14000000.0, 400000000.0)
>>> to_chinese(100150000)
'一亿零一十五万'
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import regex

from ..data import load_table

__all__ = [
    "NUMERAL", "NUMERAL_FIRST", "NUMERAL_CHARS", "PLAIN_NUMERAL", "MULTIPLIER", "DIGITS", "NUMBER", "Number",
    "find_numbers", "parse_number", "to_chinese",
]

_T = load_table("numerals")


def _cls(chars) -> str:
    """A character class of the given characters (each escaped)."""
    return "[" + "".join(regex.escape(c) for c in chars) + "]"


def _alt(words) -> str:
    """Alternation, longest first (so that 字节 is tried before 字 and 分之 before 分)."""
    return "(?:" + "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) + ")"


# ---- tables ------------------------------------------------------------------------------
_DIGIT: dict[str, int] = dict(_T["digits"])
_ZERO: dict[str, int] = dict(_T["zeros"])
_SMALL: dict[str, int] = dict(_T["small_units"])
_BIG: dict[str, float] = dict(_T["big_units"])
_CH = _T["chars"]
_LIANG = set(_T["spelled_digits"]["never"])  # 两 is never read out digit by digit
_POINTS = set(_CH["points"])
_NEG_WORDS = set(_CH["negative_words"])
_MINUS = set(_CH["minus_signs"])
_QUALS = set(_T["qualifiers"]["inner"])
_WORDS: dict[str, int] = dict(_T["words"])
_GUARDS: dict[str, list[str]] = dict(_T["unit_guards"])
_DOZEN = _T["dozen"]

# ---- pattern pieces ----------------------------------------------------------------------
_A = "[0-9０-９]"
_D = _cls(_DIGIT)  # non-zero Chinese digit
_DR = _cls([c for c in _DIGIT if c not in _LIANG] + list(_ZERO))  # digit-by-digit / after 点
_Z = _cls(_ZERO)
_SP = _cls(_CH["spaces"]) + "{0,%d}" % int(_CH["max_spaces"])
_PT = _cls(_CH["points"])
_APT = _cls(_CH["arabic_points"])
_SEP = _cls(_CH["thousands"])


def _guarded(chars) -> str:
    """Unit characters, each with its unit guard (千 not before 米, 兆 not before 瓦 ...)."""
    parts = []
    for c in chars:
        g = _GUARDS.get(c)
        parts.append(regex.escape(c) + ("(?!" + _alt(g) + ")" if g else ""))
    return "(?:" + "|".join(parts) + ")"


_TEN = _cls(c for c, v in _SMALL.items() if v == 10)
_HUN = _cls(c for c, v in _SMALL.items() if v == 100)
_THO = _guarded(c for c, v in _SMALL.items() if v == 1000)
_BIGU = _guarded(_BIG)
_BIGS = f"{_BIGU}{_BIGU}?"  # 万, 万万, 万亿

#: Arabic integer: a digit run; thousands groups only after a run of at most three digits and
#: only before exactly three digits (1,100 and 10,000.233; 1, 234 and 12,3456 are not one number).
_AINT = f"(?:{_A}++(?:(?<!{_A}{{4}})(?:{_SEP}{_A}{{3}})++(?!{_A}))?)"
#: Arabic number. A decimal is refused when it is part of a dotted chain (2021.3.15, 1.2.3).
_ARAB = (
    f"(?:{_AINT}(?:(?<!{_A}{_APT}[0-9０-９,，]{{1,40}}){_APT}{_A}++(?!{_APT}{_A}))?"
    f"|(?<![0-9０-９.．A-Za-z]){_APT}{_A}++(?!{_APT}{_A}))"  # .5, but not www.163.com
)


def _int_pattern() -> str:
    """An integer with place units and multipliers (left-factored: each digit is read once).

    A section (below 万) is a digit token followed by at most one place unit and its tail, or a
    bare 十 / 百三 / 千三, or 零 (零十). Arabic digit tokens are allowed first, after 零
    (1千零20), before a place unit (4千6百) and right after a multiplier (3万4000); a Chinese
    digit right after a place unit is an abbreviated tail (四百五, 一千陆).
    """
    # an Arabic run inside a number only before a smaller place unit (4千6百, 7万 5千)
    d_ten = f"(?:{_D}|{_A}++(?={_SP}{_TEN}))"
    d_hun = f"(?:{_D}|{_A}++(?={_SP}(?:{_TEN}|{_HUN})))"
    d_big = f"(?:{_D}|{_A}++(?={_SP}(?:{_TEN}|{_HUN}|{_THO})))"
    n_zero = f"(?:{_D}|{_A}++)"  # after 零 any digits: 1千零20, 2千零30万
    ten = f"(?:{_TEN}(?:{_SP}{_D})?)"
    # after 百: 一十 / 五 / 零五 / 零十 / 零5
    hun_tail = (f"(?:{_SP}(?:{d_ten}(?:{_SP}{ten})?|{ten}"
                f"|{_Z}{_SP}(?:{n_zero}(?:{_SP}{ten})?|{ten})))?")
    hun = f"(?:{_HUN}{hun_tail})"
    # after 千: 二百… / 二十… / 陆 / 零五十 / 零20 / 零一百
    tho_tail = (f"(?:{_SP}(?:{d_hun}(?:{_SP}(?:{hun}|{ten}))?|{ten}"
                f"|{_Z}{_SP}(?:{n_zero}(?:{_SP}(?:{hun}|{ten}))?|{ten})))?")
    tho = f"{_THO}{tho_tail}"
    units = f"(?:{_SP}(?:{tho}|{hun}|{ten}))?"
    bare_small = f"(?:{_THO}(?={_SP}{_D}){tho_tail}|{_HUN}(?={_SP}{_D}){hun_tail}|{ten})"
    lone_zero = _cls(_T["standalone_zero"]["chars"])
    sec = f"(?:(?:{_ARAB}|{_D}){units}|{bare_small}|{lone_zero}(?:{_SP}{ten})?)"
    big_chars = _cls(list(_BIG) + list(_ZERO))
    after = f"(?:(?:{d_big}|(?<={big_chars}){_A}++){units}|{bare_small})"
    return f"(?:{sec}(?:{_SP}{_BIGS}(?:{_SP}(?:{_Z}{_SP})?{after})?)*)"


#: A multiplier chain after a numeral (or after 余/多): 万, 亿, 万亿, 千万, 百亿, 十万 ...
MULTIPLIER: str = f"(?:(?:{_TEN}|{_HUN}|{_THO}){_SP})?{_BIGS}"

#: A loose run of numeral characters (no grammar): digits, zeros, units, Arabic digits.
DIGITS: str = "(?:" + _cls(list(_DIGIT) + list(_ZERO) + list(_SMALL) + list(_BIG)) + "|" + _A + ")+"

_CJK_NUM = _cls(list(_DIGIT) + list(_ZERO) + list(_SMALL) + list(_BIG))
#: A Chinese decimal: 三点五, 两千万点五五四四, 三点五亿, only after a Chinese character (Arabic
#: 20点30 is a clock time); not 三点五十分 (a clock time either).
_DEC_TAIL = (f"(?:(?<={_CJK_NUM}){_SP}{_PT}{_SP}{_DR}++"
             f"(?:{_SP}{MULTIPLIER}|(?!{_SP}(?:{_TEN}|{_HUN}|{_THO}|{_cls(_CH['clock_after_point'])}))))")
_DRUN = f"(?:{_DR}{{3,}}+(?!{_SP}(?:{_TEN}|{_HUN}|{_THO}|{_BIGU}|{_PT})))"
_LEFT = _alt(_T["bare"]["left_context"])
#: a bare multiplier, only after its context word (近百, 上万, 百分之百); not 百分之 itself
_BARE = (f"(?<={_LEFT})(?:{_HUN}|{_THO}|{_BIGU})(?!{_alt(_T['bare']['not_before'])})"
         f"(?:{_BIGU}{_BIGU}?)?")
_BARE_CONTEXT = _T["bare"]["left_context"][0]  # put back before a bare multiplier in parse_number
_WORD = _alt(_WORDS) if _WORDS else "(?!)"
_NEG = (f"(?:{_alt(_NEG_WORDS)}{_SP}"
        f"|(?<![A-Za-z0-9０-９.．{''.join(regex.escape(c) for c in _MINUS)}]){_cls(_MINUS)})")
_SLASH = _cls(_CH["slashes"])


#: One numeral as written in Chinese news (see the module docstring for exactly what).
NUMERAL: str = f"(?:{_DRUN}|{_int_pattern()}{_DEC_TAIL}?|{_BARE}|{_WORD})"
#: Every character a :data:`NUMERAL` match can begin with (a set test before running it).
NUMERAL_FIRST: frozenset[str] = frozenset(
    set("0123456789０１２３４５６７８９") | set(_DIGIT) | set(_ZERO) | set(_SMALL) | set(_BIG)
    | {w[0] for w in _WORDS} | set(_CH["arabic_points"]))
#: Every character a :data:`NUMERAL` can contain or look at around a digit.
NUMERAL_CHARS: frozenset[str] = frozenset(
    NUMERAL_FIRST | set("".join(_WORDS)) | set(_CH["points"]) | set(_CH["thousands"]) | set(_CH["spaces"]))
#: A plain numeral: Arabic digits with a decimal part, or one Chinese digit, then up to two
#: unguarded multipliers (112, 149.53, 30万, 1万亿, 一, 两万). Where it stands with no character of
#: :data:`NUMERAL_CHARS` right before or right after it, :data:`NUMERAL` matches exactly it
#: (nothing around can extend or cut it), so a scanner can take it as the numeral without
#: running the full grammar.
PLAIN_NUMERAL: str = (f"(?:[0-9]++(?:\\.[0-9]++)?|{_D})"
                      + ("(?:" + _cls(c for c in "万亿" if c in _BIG and c not in _GUARDS) + "{1,2})?"))

#: The tails accepted right after a numeral (fractions with 分之 / 又 are joined afterwards in
#: find_numbers: scanning them here would repeat NUMERAL and slow the scan 4x).
_TAILS = [
    # 1 4/3 (a whole number, one space, a fraction) and 3/5; not dates 2021/3/5
    f"(?<={_A}) {_AINT}{_SLASH}{_AINT}(?!{_SLASH}?{_A})",
    f"(?<={_A})(?<!{_A}{_SLASH}{_A}{{0,20}}){_SLASH}{_AINT}(?!{_SLASH}?{_A})",
    f"(?<={_A})[eE][+\\-－]?{_A}++(?![A-Za-z])",  # 2e5, 12.32e+14
    f"(?<={_A})\\^[+\\-－]{{0,2}}{_A}++(?:{_APT}{_A}++)?",  # 2^5, 2.5^-1
    f"{_SP}(?:{_Z}{_SP})?{_cls(_QUALS)}{_SP}{MULTIPLIER}",  # 1400余万, 一百零几万: base × multiplier
    f"{_SP}{regex.escape(_DOZEN['word'])}(?!{_alt(_DOZEN['not_before'])})",  # 五十打
]
#: every tail starts with one of these (a quick test before trying six alternatives)
_TAIL_FIRST = _cls(list(_CH["spaces"]) + list(_CH["slashes"]) + list("eE^") + list(_ZERO)
                   + list(_QUALS) + [_DOZEN["word"]])
_EXCL_CHARS = frozenset(_T["exclusions"]["chars"])
_EXCL_BACK = 4  # an exclusion word starts at most this many characters before the numeral


def _first_chars(pattern: str) -> set[str] | None:
    """The characters an exclusion pattern can start with, or None when it is not obvious."""
    if pattern.startswith("["):
        inner = pattern[1:pattern.index("]")]
        return None if "-" in inner or "\\" in inner or inner.startswith("^") else set(inner)
    if pattern and pattern[0] not in "\\()[]{}.^$*+?|":
        return {pattern[0]}
    return None


def _exclusion_index() -> tuple[dict[str, regex.Pattern], regex.Pattern | None]:
    """Exclusion patterns grouped by first character (longest first), plus the rest."""
    by_first: dict[str, list[str]] = {}
    generic: list[str] = []
    for p in _T["exclusions"]["patterns"]:
        chars = _first_chars(p)
        if chars is None:
            generic.append(p)
        else:
            for c in chars:
                by_first.setdefault(c, []).append(p)
    index = {c: regex.compile("|".join(f"(?:{p})" for p in sorted(ps, key=len, reverse=True)))
             for c, ps in by_first.items()}
    return index, (regex.compile("|".join(f"(?:{p})" for p in generic)) if generic else None)


_EXCL_INDEX, _EXCL_GENERIC = _exclusion_index()


def _excluded(text: str, start: int) -> bool:
    """True when an exclusion word (一切, 四川, 十分重要 …) covers position ``start``."""
    index = _EXCL_INDEX
    for i in range(start, max(-1, start - _EXCL_BACK - 1), -1):
        pat = index.get(text[i])
        if pat is not None:
            m = pat.match(text, i)
            if m is not None and m.end() > start:
                return True
        if _EXCL_GENERIC is not None and i >= start - 1:  # 两两: the numeral or the one before
            m = _EXCL_GENERIC.match(text, i)
            if m is not None and m.end() > start:
                return True
    return False


_FRAC_GAP = regex.compile(f"{_SP}{regex.escape(_CH['fraction'][0])}{_SP}"
                          f"{regex.escape(_CH['fraction'][1:])}{_SP}")
_MIXED_GAP = regex.compile(f"{_SP}{regex.escape(_CH['mixed'])}{_SP}")
_GAP_FIRST = frozenset(list(_CH["spaces"]) + [_CH["fraction"][0], _CH["mixed"]])


#: every number starts with one of these: a one-class test before the grammar (faster scan)
_FIRST = _cls(set("0123456789０１２３４５６７８９") | set(_DIGIT) | set(_ZERO) | set(_SMALL) | set(_BIG)
              | {w[0] for w in _WORDS} | _NEG_WORDS | _MINUS | set(_CH["arabic_points"]))
#: What find_numbers scans for (see the module docstring).
NUMBER: str = f"(?:(?={_FIRST}){_NEG}?{NUMERAL}(?:(?={_TAIL_FIRST})(?:{'|'.join(_TAILS)}))?)"


@lru_cache(maxsize=1)
def _scanner() -> regex.Pattern:
    """The compiled scanner (built on first use, ~0.2 s)."""
    return regex.compile(NUMBER)


# ---- evaluation ------------------------------------------------------------------------------
_FOLD = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "．": ".", "，": ",", "－": "-", "−": "-", "／": "/", "\u3000": " ", "\t": " ",
})
_CTX = decimal.Context(prec=40, Emax=10_000, Emin=-10_000)
_UNIT: dict[str, Decimal] = {c: Decimal(v) for c, v in _SMALL.items()}
_UNIT.update({c: Decimal(int(v)) for c, v in _BIG.items()})
_BIG_SET = frozenset(_BIG)
_DIGIT_ALL: dict[str, int] = {**_DIGIT, **_ZERO}
_TOKEN_RE = regex.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+|.", regex.S)
_ARAB_FRAC_RE = regex.compile(r"(?:([0-9,]+) +)?([0-9,]+)/([0-9,]+)")
_EXP_RE = regex.compile(r"([0-9.,]+)(?:[eE]([+\-]?[0-9]+)|\^([+\-]{0,2})([0-9]+(?:\.[0-9]+)?))")
_QUAL_RE = regex.compile(f"^(.*?)(?:{_Z})?{_cls(_QUALS)}(.+)$")
_FRAC_WORD = _CH["fraction"]
_MIXED = _CH["mixed"]


def _mult(s: str) -> Decimal | None:
    """Value of a multiplier chain: 万 -> 1e4, 千万 -> 1e7, 万亿 -> 1e12."""
    v = Decimal(1)
    for ch in s:
        u = _UNIT.get(ch)
        if u is None:
            return None
        v *= u
    return v


def _int_value(s: str) -> Decimal | None:
    """Value of an integer with units: 四十五亿四千零四万, 3万4000, 九万四, 百三, 二〇二四."""
    if not s:
        return None
    if len(s) > 1 and all(c in _DIGIT_ALL for c in s):  # 二〇二四: digit by digit
        return Decimal("".join(str(_DIGIT_ALL[c]) for c in s))
    total = Decimal(0)
    section = Decimal(0)
    num: Decimal | None = None
    top = Decimal(0)  # the scale the first group has been multiplied to (for 四万万, 一万五千亿)
    last_unit: Decimal | None = None  # unit right before the pending digit (for 九万四, 四百五)
    abbrev: Decimal | None = None
    cn_digit = False
    for tok in _TOKEN_RE.findall(s):
        if tok[0].isdigit() or tok[0] == ".":
            num = Decimal(tok.replace(",", ""))
            abbrev, cn_digit = None, False
        elif tok in _DIGIT:
            if num is not None:  # two digits in a row: not a number we understand
                return None
            num = Decimal(_DIGIT[tok])
            abbrev, cn_digit = last_unit, True
        elif tok in _ZERO:
            last_unit = None
        elif tok in _BIG_SET:
            u = _UNIT[tok]
            section += num if num is not None else 0
            num = None
            if u >= top or top == 0:
                had = section != 0
                total = (total + section) * u
                top = u if had or top == 0 else top * u
            else:
                total += section * u
            section = Decimal(0)
            last_unit = u
        elif tok in _UNIT:
            u = _UNIT[tok]
            section += (num if num is not None else 1) * u
            num = None
            last_unit = u
        else:
            return None
    if num is not None:
        if cn_digit and abbrev is not None and abbrev >= 100 and num < 10:
            num *= abbrev / 10  # 四百五 = 450, 九万四 = 94000, 一千陆 = 1600
        section += num
    return total + section


def _plain_value(s: str) -> Decimal | None:
    """Value of an unsigned numeral (no fraction / exponent): integers, decimals, qualifiers."""
    if s in _WORDS:
        return Decimal(_WORDS[s])
    if s.endswith(_DOZEN["word"]) and len(s) > 1:
        v = _plain_value(s[:-1])
        return None if v is None else v * int(_DOZEN["factor"])
    q = _QUAL_RE.match(s)
    if q and q.group(1):
        base, mult = _plain_value(q.group(1)), _mult(q.group(2))
        return None if base is None or mult is None else base * mult
    for p in _POINTS:
        if p in s:
            head, _, rest = s.partition(p)
            i = 0
            while i < len(rest) and rest[i] in _DIGIT_ALL:
                i += 1
            if i == 0:
                return None
            frac = Decimal("0." + "".join(str(_DIGIT_ALL[c]) for c in rest[:i]))
            base = _int_value(head)
            if base is None:
                return None
            if i < len(rest):
                mult = _mult(rest[i:])
                return None if mult is None else (base + frac) * mult
            return base + frac
    if all(c in _UNIT for c in s):  # a bare multiplier: 百, 万, 百万
        return _mult(s)
    return _int_value(s)


def _value(s: str) -> Decimal | None:
    """Value of a folded, space-free (except in Arabic mixed fractions) number string."""
    sign = 1
    while s and (s[0] in _NEG_WORDS or s[0] == "-"):
        sign = -sign
        s = s[1:]
    if not s:
        return None
    if _FRAC_WORD in s:
        whole = Decimal(0)
        if _MIXED in s.partition(_FRAC_WORD)[0]:
            w, _, s = s.partition(_MIXED)
            wv = _value(w)
            if wv is None:
                return None
            whole = wv
        den, _, num = s.partition(_FRAC_WORD)
        dv, nv = _value(den), _value(num)
        if dv is None or nv is None or dv == 0:
            return None
        return sign * (whole + nv / dv)
    if "/" in s:
        m = _ARAB_FRAC_RE.fullmatch(s)
        if not m:
            return None
        den = Decimal(m.group(3).replace(",", ""))
        if den == 0:
            return None
        v = Decimal(m.group(2).replace(",", "")) / den
        if m.group(1):
            v += Decimal(m.group(1).replace(",", ""))
        return sign * v
    s = s.replace(" ", "")
    m = _EXP_RE.fullmatch(s)
    if m:
        base = Decimal(m.group(1).replace(",", ""))
        if m.group(2) is not None:
            return sign * base.scaleb(int(m.group(2)))
        e = Decimal(m.group(4))
        if m.group(3).count("-") % 2:
            e = -e
        return sign * base ** e
    v = _plain_value(s)
    return None if v is None else sign * v


def _to_float(v: Decimal | None) -> float | None:
    if v is None:
        return None
    f = float(v)
    return f if f == f and f not in (float("inf"), float("-inf")) else None


@lru_cache(maxsize=1 << 16)
def _evaluate(matched: str) -> float | None:
    s = matched.translate(_FOLD).strip()
    if "/" not in s:
        s = s.replace(" ", "")
    with decimal.localcontext(_CTX):
        try:
            return _to_float(_value(s))
        except (ArithmeticError, ValueError, IndexError):
            return None


#: Fast path of :func:`parse_number`: a plain Arabic numeral (``112``, ``149.53``, ``1,100``)
#: with at most a multiplier chain whose value is the product of its characters (万, 亿, 万亿,
#: 万万). Up to 25 digits, so the general parser's Decimal arithmetic (40 digits) is exact and
#: ``float()`` of the same decimal value gives the same correctly rounded result.
_FAST_RE = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})++|[0-9]++)(\.[0-9]++)?(万万|万亿|万|亿)?")
_FAST_EXP = {None: "", "万": "e4", "亿": "e8", "万万": "e8", "万亿": "e12"}


def _fast_value(t: str) -> float | None:
    """Value of a plain Arabic numeral (see :data:`_FAST_RE`), or None when it is not one."""
    m = _FAST_RE.fullmatch(t)
    if m is None or m.end(2 if m.group(2) else 1) > 25:
        return None
    return float(t[:m.end(2 if m.group(2) else 1)].replace(",", "") + _FAST_EXP[m.group(3)])


def parse_number(text: str) -> float | None:
    """Value of one number string, or None if ``text`` is not exactly one number.

    Accepts anything :func:`find_numbers` finds as one number (so every :data:`NUMERAL`, signed
    numbers, fractions, ``1400余万``), with surrounding whitespace, plus a bare multiplier without
    its context word (``百`` -> 100.0). Always a ``float`` (integers too); never raises.

    >>> parse_number("两百"), parse_number("一万二百五十"), parse_number("九万四")
    (200.0, 10250.0, 94000.0)
    >>> parse_number("7 万5 千4 百"), parse_number("拾万零五十六"), parse_number("负三十二")
    (75400.0, 100056.0, -32.0)
    >>> parse_number("1,100万"), parse_number("三分之一") == 1 / 3, parse_number("四川")
    (11000000.0, True, None)
    """
    if not isinstance(text, str):
        return None
    return _parse_str(text)


@lru_cache(maxsize=1 << 16)
def _parse_str(text: str) -> float | None:
    """:func:`parse_number` on a string (cached: the same numerals come back in every article)."""
    t = text.strip()
    if not t or len(t) > 200:
        return None
    if t[0] in "0123456789":
        v = _fast_value(t)
        if v is not None:
            return v
    found = find_numbers(t)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(t):
        return found[0].value
    if t[0] in _UNIT:  # a bare multiplier whose context word was cut off: 百, 万, 百万
        k = len(_BARE_CONTEXT)
        found = find_numbers(_BARE_CONTEXT + t)
        if len(found) == 1 and found[0].start == k and found[0].end == k + len(t):
            return found[0].value
    return None


@dataclass(slots=True)
class Number:
    """One number found in a text: ``text[start:end] == number.text``; ``value`` is a float."""

    start: int
    end: int
    text: str
    value: float


def _join(text: str, nums: list[Number], gap: regex.Pattern, only: set[int] | None) -> tuple[list[Number], set[int]]:
    """Join ``a <gap> b`` pairs of adjacent numbers into one (三 分之 一, 十一 又 十四分之一).

    ``only``: indexes of the numbers allowed as the right-hand side (None: any). Returns the new
    list and the indexes (in it) of joined numbers.
    """
    out: list[Number] = []
    joined: set[int] = set()
    i = 0
    n = len(nums)
    first = _GAP_FIRST
    while i < n:
        a = nums[i]
        if i + 1 < n and a.end < len(text) and text[a.end] in first and (only is None or i + 1 in only):
            g = gap.match(text, a.end)
            b = nums[i + 1]
            if g is not None and g.end() == b.start:
                t = text[a.start:b.end]
                v = _evaluate(t)
                if v is not None:
                    joined.add(len(out))
                    out.append(Number(a.start, b.end, t, v))
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out, joined


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, in order, non-overlapping, offsets into ``text`` as given.

    Bare numerals are included; words that merely contain numeral characters are not
    (see ``[exclusions]`` in ``data/numerals.toml``). Fractions are one number
    (``三分之一``, ``十一又十四分之一``, ``3/5``).

    >>> [(n.start, n.end, n.value) for n in find_numbers("签约112个项目投资149.53亿元")]
    [(2, 5, 112.0), (10, 17, 14953000000.0)]
    >>> [n.text for n in find_numbers("我家在四川，一切都好，十多万人")]
    ['十多万']
    """
    out: list[Number] = []
    excl = _EXCL_CHARS
    for m in _scanner().finditer(text):
        s, e = m.span()
        if text[s] in excl and _excluded(text, s):
            continue
        t = m.group()
        v = _evaluate(t)
        if v is not None:
            out.append(Number(s, e, t, v))
    if len(out) > 1 and _FRAC_WORD[-1] in text:
        out, fractions = _join(text, out, _FRAC_GAP, None)
        if fractions and _MIXED in text:
            out, _ = _join(text, out, _MIXED_GAP, fractions)
    return out


# ---- writing numbers --------------------------------------------------------------------------
_STD = "零一二三四五六七八九"
_DAXIE = "零壹贰叁肆伍陆柒捌玖"


def _section(n: int, digits: str, units: tuple[str, str, str], liang: bool) -> str:
    """0 < n < 10000 in Chinese, with one 零 for each run of skipped places."""
    out: list[str] = []
    zero = False
    for place, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // place % 10
        if d == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out.append(digits[0])
            zero = False
        ch = "两" if liang and d == 2 and place >= 100 else digits[d]
        out.append(ch + unit)
    return "".join(out)


def _write(n: int, digits: str, units: tuple[str, str, str], liang: bool) -> str:
    if n >= 10**8:
        head, rest = divmod(n, 10**8)
        s = _write(head, digits, units, liang) + "亿"
        if rest:
            s += (digits[0] if rest < 10**7 else "") + _write(rest, digits, units, liang)
        return s
    if n >= 10**4:
        head, rest = divmod(n, 10**4)
        s = _section(head, digits, units, liang) + "万"
        if rest:
            s += (digits[0] if rest < 1000 else "") + _section(rest, digits, units, liang)
        return s
    return _section(n, digits, units, liang)


def to_chinese(n: int, *, daxie: bool = False, liang: bool = False) -> str:
    """Write an integer in standard Chinese numerals (大写 with ``daxie``, 两百/两千 with ``liang``).

    >>> to_chinese(0), to_chinese(15), to_chinese(10250), to_chinese(40006000)
    ('零', '十五', '一万零二百五十', '四千万六千')
    >>> to_chinese(2222, liang=True), to_chinese(460, daxie=True), to_chinese(10**12)
    ('两千两百二十二', '肆佰陆拾', '一万亿')
    """
    n = int(n)
    if n < 0:
        return "负" + to_chinese(-n, daxie=daxie, liang=liang)
    digits = _DAXIE if daxie else _STD
    units = ("拾", "佰", "仟") if daxie else ("十", "百", "千")
    if n == 0:
        return digits[0]
    s = _write(n, digits, units, liang)
    if not daxie and s.startswith("一十"):
        s = s[1:]  # 十五, 十万, 十亿: the leading 一 of 一十 is not written
    return s
