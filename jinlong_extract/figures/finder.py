"""Figure finder: spans of money, counts, percentages and quantities in normalised text.

Extract, then parse: :func:`find_figures` scans one normalised (simplified, full-width folded)
article text with one compiled numeral pattern, and for each numeral looks at what stands
around it — a prefix qualifier (超, 近), an inner qualifier and multiplier (余万), a unit or
measure word (元, 个, 亩, %), a suffix (以上, 左右), a second numeral for a range (至, —) —
using small anchored patterns compiled once from the rule tables in ``jinlong_extract/data``.
Non-figures (ordinals, names in short quotes, plan names like 十四五, codes, dates, durations,
vague amounts, determiner 一) are dropped by rules that live in ``data/nonfigures.toml``.

Offsets are into the text given. The pipeline maps them back to the original file.

>>> [(f.text, f.kind, f.value, f.qualifier, f.unit) for f in find_figures("签约112个项目投资149.53亿元")]
[('112个', 'count', 112.0, 'exact', '个'), ('149.53亿元', 'money', 14953000000.0, 'exact', '元')]
>>> [(f.text, f.low, f.high, f.qualifier) for f in find_figures("打造3至5个优势特色产业集群")]
[('3至5个', 3.0, 5.0, 'range')]
>>> [(f.text, f.value, f.qualifier) for f in find_figures("“十四五”以来，采购超20亿元")]
[('超20亿元', 2000000000.0, 'min')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..data import load_table

from .numerals import NUMERAL, NUMERAL_CHARS, NUMERAL_FIRST, PLAIN_NUMERAL, parse_number


@dataclass(slots=True)
class Figure:
    """One figure span in normalised text, parsed."""

    start: int
    end: int
    text: str
    kind: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    unit: str | None
    currency: str | None = None
    #: where the measure word / unit starts (object and metric look around it)
    unit_start: int = 0


@dataclass(slots=True, frozen=True)
class _Unit:
    kind: str
    unit: str
    code: str | None = None
    factor: float = 1.0


def _char_class(chars, module=regex) -> str:
    """A regex character class of the given characters (each escaped)."""
    return "[" + "".join(module.escape(c) for c in sorted(chars)) + "]"


def _is_han(c: str) -> bool:
    """Whether ``c`` (one character, or "" past the end) is a CJK unified ideograph."""
    return "\u4e00" <= c <= "\u9fff"


def _alternation(words) -> str:
    """Longest first, so that 万元 wins over 元 and 不超过 over 超过."""
    uniq = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    return "|".join(regex.escape(w) for w in uniq)


#: Multipliers written after a numeral (their factor); longest first in the pattern.
_MULTIPLIERS = {
    "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7, "百万": 1e6,
    "十万": 1e5, "万": 1e4, "千": 1e3, "百": 1e2, "万万": 1e8,
}
_CN_SMALL = "一二三四五六七八九十两壹贰叁肆伍陆柒捌玖拾"
#: after 千 these make a unit (千瓦 千米 千克 千伏 千瓦时), so 千 is no multiplier there
_KILO_UNITS = frozenset("瓦米克伏卡焦帕赫")


class _Rules:
    """All compiled rule tables (built once per process)."""

    def __init__(self) -> None:
        units = load_table("units")
        quals = load_table("qualifiers")
        nonf = load_table("nonfigures")

        self.units: dict[str, _Unit] = {}
        for cur in units["currency"]:
            for w in cur["words"]:
                self.units[w] = _Unit("money", cur["unit"], cur["code"])
        for q in units["quantity"]:
            for w in q["words"]:
                self.units[w] = _Unit("quantity", q["unit"])
        for w in units["count"]["measures"]:
            self.units.setdefault(w, _Unit("count", w))
        for noun, unit in units["count"]["bare_nouns"].items():
            self.units.setdefault(noun, _Unit("count", unit))
        for w in units["percent"]["points"]:
            self.units[w] = _Unit("percent", "个百分点")
        self.units["%"] = _Unit("percent", "%")
        self.units["‰"] = _Unit("percent", "%", factor=0.1)
        for w in units["money"]["colloquial"]:
            self.units.setdefault(w, _Unit("money", "元", "CNY"))
        self.colloquial = set(units["money"]["colloquial"])
        self.bare_nouns = units["count"]["bare_nouns"]
        self.bare_de_re = regex.compile(r"的(" + _alternation(self.bare_nouns) + ")")
        self.bare_before_re = regex.compile(r"(" + _alternation(self.bare_nouns) + r")(?:"
                                            + _alternation(units["count"]["rules"]["bare_noun_links"]) + r")?[ \t]*\Z")
        self.bare_currency_re = regex.compile(_alternation(
            w for c in units["currency"] for w in c["words"] if len(w) > 1 and not w.startswith("元")))
        self.unit_re = regex.compile(r"[ \t]{0,4}(?:" + _alternation(self.units) + ")")
        self.unit_end_re = regex.compile(r"(?<![A-Za-z])(?:" + _alternation(w for w in self.units if not w.isascii()) + r")\Z")
        # "六   个 百 分点": percentage points with spaces inside, as Recognizers-Text writes them
        self.spaced_points_re = regex.compile(r"[ \t]*" + "|".join(
            r"[ \t]*".join(regex.escape(c) for c in w) for w in units["percent"]["points"]))
        self.not_unit_follow = regex.compile("(?:" + _alternation(units["count"]["rules"]["not_measure_followers"]) + ")")
        self.subunits = {w: (s["code"], s["factor"]) for s in units["subunit"] for w in s["words"]}
        self.subunit_lead_re = regex.compile(r"(?:又|零)?")
        self.subunit_word_re = regex.compile(_alternation(self.subunits))
        self.symbols = {s["symbol"]: (s["code"], s["unit"]) for s in units["symbol"]}
        self.symbol_re = regex.compile(r"(?:" + _alternation(self.symbols) + r")[ \t]?\Z")
        self.money_context = regex.compile(_alternation(units["money"]["context"]))
        qr = units["quantity_rules"]
        self.p_context = regex.compile(_alternation(qr["p_context"]))
        self.speed_context = regex.compile("(?:" + _alternation(qr["speed_context"]) + r")\S{0,4}\Z")
        self.speed_unit = qr["speed_unit"]
        self.output_context = regex.compile(_alternation(qr["output_context"]))
        self.output_measures = set(qr["output_measures"])
        self.pct_prefix = {w: float(f) for w, f in units["percent"]["prefix"].items()}
        # "百 分 之 2": Recognizers-Text writes spaces inside the prefix; allow them
        self.pct_prefix_re = regex.compile(r"(?:" + "|".join(
            r"[ \t]*".join(regex.escape(c) for c in w) for w in sorted(self.pct_prefix, key=len, reverse=True))
            + r")[ \t]*")
        ten = units["percent"]["tenths"]
        # "七成六" / "九成五" = 76% / 95%: one more digit after 成 is the units of the percentage
        self.tenths_re = regex.compile(r"[ \t]*(" + _alternation(ten["words"]) + r")(?:(" + regex.escape(ten["half"])
                                       + r")|[ \t]?([1-9一二三四五六七八九])(?![0-9一二三四五六七八九十百千万亿]))?")
        self.tenths_not = regex.compile(_alternation(ten["not_followed_by"]))
        self.tenths_whole = {w: float(v) for w, v in ten["whole"].items()}
        self.tenths_whole_re = regex.compile(_alternation(self.tenths_whole))
        self.tenths_whole_before = dict(ten.get("whole_needs_before", {}))

        # qualifiers
        self.prefix_kind: dict[str, str] = {}
        for kind, words in quals["prefix"].items():
            for w in words:
                self.prefix_kind[w] = kind
        self.prefix_re = regex.compile(r"(?:" + _alternation(self.prefix_kind) + r")[ \t]?\Z")
        self.bare_only = set(quals["prefix_rules"]["bare_multiplier_only"])
        self.not_after = {k: set(v) for k, v in quals["prefix_rules"]["not_after"].items()}
        # (a key here that is not a one-character prefix is a table misplaced under this header:
        # TOML puts every key after ``[prefix_rules.not_after]`` in it)
        misplaced = sorted(k for k in self.not_after if len(k) != 1 or k not in self.prefix_kind)
        misplaced += sorted(w for w in self.bare_only if w not in self.prefix_kind)
        if misplaced:
            raise ValueError(f"qualifiers.toml: {', '.join(misplaced)} under [prefix_rules] is not a "
                             "one-character prefix of [prefix]")
        self.inner_re = regex.compile(
            r"(" + _alternation(quals["inner"]["approx"]) + r")?(" + _alternation(_MULTIPLIERS) + r")?("
            + _alternation(quals["inner"]["approx"]) + r")?")
        self.suffix_kind = {w: k for k, ws in quals["suffix"].items() for w in ws}
        self.suffix_re = regex.compile(r"(?:" + _alternation(self.suffix_kind) + ")")
        self.range_sep_re = regex.compile(r"[ \t]?(?:" + _alternation(quals["range"]["separators"]) + r")[ \t]?")

        # numerals (with bare multipliers as a second alternative: "超万亩", "近百名")
        self.core_re = regex.compile(r"(?:" + NUMERAL + r")|(?P<bare>[百千万亿]+)")

        # non-figures
        self.adjacent_re = regex.compile(nonf["vague"]["adjacent_digits"])
        # ordinals (第3次), vague amounts (几十万) and counted periods (连续三届) before a numeral
        self.reject_before_re = regex.compile(
            r"(?:(?:" + _alternation(nonf["ordinal"]["prefixes"]) + r")[ \t]?|" + _alternation(
                list(nonf["vague"]["prefixes"]) + list(nonf["duration_prefix"]["prefixes"])) + r")\Z")
        # (after 多 or 半 too: "1个多小时", "两个半月")
        self.duration_follow_re = regex.compile(r"[多半]?(?:" + _alternation(nonf["durations"]["followers"]) + ")")
        self.one = set(nonf["determiner"]["chinese_one"])
        self.quote_pairs = {o: c for o, c in nonf["names"]["quote_pairs"]}
        self.quote_close = set(self.quote_pairs.values())
        self.quote_max = int(nonf["names"]["max_chars"])
        blocked = list(nonf["names"]["patterns"]) + list(nonf["codes"]["patterns"])
        blocked += [regex.escape(n) for n in nonf["places"]["names"]]
        self.blocked_re = regex.compile("|".join(f"(?:{p})" for p in blocked))
        self.glued = set(nonf["codes"]["glued"])
        self.drop_zero_counts = bool(nonf["zero"]["drop_zero_counts"])
        # What may stand right after a numeral that starts a figure: a unit's first character,
        # an inner qualifier, a multiplier, a range separator, a space, 成/折, 的 (a head count).
        # Checked before any parsing: most numeral characters in running text (一些, 统一, 万一)
        # are followed by none of them.
        follow = {w[0] for w in self.units} | {w[0] for w in quals["inner"]["approx"]}
        follow |= set("万亿千百十兆萬億") | {w[0] for w in quals["range"]["separators"]}
        follow |= {" ", "\t", "的", "%", "‰"} | {w[0] for w in units["percent"]["tenths"]["words"]}
        follow |= {w[0] for w in units["percent"]["points"]}
        follow |= set("0123456789一二三四五六七八九两")  # "七五折": a discount written digit by digit
        self.follow = frozenset(follow)
        self.symbol_chars = frozenset(ch for sym in self.symbols for ch in sym)
        # a run of numeral characters: where a figure can start (separators and 点 inside it)
        numerals = "0123456789〇零一二三四五六七八九十百千万亿两俩兩壹贰貳叁肆伍陆陸柒捌玖拾佰仟萬億"
        self.numeral_chars = frozenset(numerals)
        # (a separator only inside a run: "3.2亿，建设" ends at 亿, which makes it a candidate
        # below; 点 also before a blank, as Recognizers-Text spaces numerals: "四点 五个百分点")
        run = f"[{numerals}](?:[{numerals}]|[.,，](?=[{numerals}])|点(?=[{numerals} \t]))*"
        self.run_re = regex.compile(run)
        self.run_chars = frozenset(numerals + ".,，点")

        # The candidate scan, one pass of a plain pattern (the standard library's ``re``, which
        # scans character classes several times faster than ``regex``): a run of numeral
        # characters that something a figure needs follows (a character of ``follow``, or the run
        # ends in a multiplier). Runs after a currency symbol are added in Python (rare).
        run += "+"  # (possessive)
        self.run_scan = re.compile(run + f"(?:(?={_char_class(follow, re)})|(?<=[万亿萬億千]))")
        self.run_any = re.compile(run)
        self.symbol_class = re.compile(_char_class(self.symbol_chars, re))
        assert not self.symbol_chars & self.run_chars
        # a run that is a plain Arabic numeral with no numeral character around is its own numeral
        self.plain_re = re.compile(PLAIN_NUMERAL)

        # First (or last) characters of what each small pattern can match: a set test before
        # the pattern runs, so that most candidates pay no regex call for rules that cannot apply.
        blank = {" ", "\t"}
        self.bad_prev = frozenset(
            [chr(c) for c in range(128) if chr(c).isalnum()] + list(self.glued) + ["."])
        self.reject_last = frozenset(w[-1] for w in list(nonf["ordinal"]["prefixes"]) + list(nonf["vague"]["prefixes"])
                                     + list(nonf["duration_prefix"]["prefixes"]) if w) | blank
        self.prefix_last = frozenset(w[-1] for w in self.prefix_kind) | blank
        self.symbol_last = frozenset(w[-1] for w in self.symbols) | blank
        self.inner_first = frozenset(w[0] for w in list(quals["inner"]["approx"]) + list(_MULTIPLIERS) if w)
        self.tenths_first = frozenset(w[0] for w in ten["words"]) | blank
        self.points_first = frozenset(w[0] for w in units["percent"]["points"]) | blank
        #: what may follow the first character of a spaced "个 百分点" (个 -> 百 or a space)
        self.points_second = {w[0]: frozenset(w[1:2]) | blank for w in units["percent"]["points"]}
        self.unit_first = frozenset(w[0] for w in self.units) | blank
        #: unit word -> the not-a-measure words that begin with it and are longer (位 -> 位数)
        followers = units["count"]["rules"]["not_measure_followers"]
        self.tail_only = frozenset(units["count"]["rules"]["tail_only"])
        self.longer_words: dict[str, dict[str, tuple[str, ...]]] = {}
        for w in self.units:
            by_next: dict[str, tuple[str, ...]] = {}
            for f in followers:
                if len(f) > len(w) and f.startswith(w):
                    by_next[f[len(w)]] = by_next.get(f[len(w)], ()) + (f,)
            self.longer_words[w] = by_next
        #: unit words by first character, longest first (the order of ``unit_re``'s alternation)
        self.units_by_first: dict[str, tuple[str, ...]] = {}
        for w in sorted(self.units, key=lambda w: (-len(w), w)):
            self.units_by_first[w[0]] = self.units_by_first.get(w[0], ()) + (w,)
        self.one_digit_next = frozenset("0123456789一二三四五六七八九两") | blank  # _two_digit_discount
        #: a character before a numeral that some rule looks at (codes, ordinals, prefixes,
        #: currency symbols, adjacent digits); any other one needs no look back at all
        self.prev_special = (self.bad_prev | self.reject_last | self.prefix_last | self.symbol_last
                             | frozenset(_CN_SMALL))
        self.sep_first = frozenset(w[0] for w in quals["range"]["separators"] if w) | blank
        self.duration_first = frozenset(w[0] for w in nonf["durations"]["followers"] if w) | {"多", "半"}
        self.suffix_first = frozenset(w[0] for w in self.suffix_kind)
        self.subunit_first = frozenset("又零百千万亿") | NUMERAL_FIRST
        self.quote_chars = frozenset(self.quote_pairs) | frozenset(self.quote_close)
        self.tenths_whole_words = tuple(self.tenths_whole)
        self.speed_words = regex.compile(_alternation(qr["speed_context"]))
        self.speed_window = max(len(w) for w in qr["speed_context"]) + 4
        self.pct_last = frozenset(w[-1] for w in self.pct_prefix)


@lru_cache(maxsize=1)
def rules() -> _Rules:
    """The compiled rule tables (built on first use, once per process)."""
    return _Rules()


def _quoted_name(text: str, start: int, end: int, r: _Rules) -> bool:
    """True when [start, end) sits inside a short quote: “四项行动”, “两个确立”."""
    lo = max(0, start - r.quote_max)
    window = text[lo:start]
    if r.quote_chars.isdisjoint(window):
        return False
    i = lo + max(window.rfind(c) for c in r.quote_chars)  # the nearest quote mark before the figure
    ch = text[i]
    if ch not in r.quote_pairs:
        return False  # a closing mark: the figure is after a quote, not in one
    close = r.quote_pairs[ch]
    j = text.find(close, end, end + r.quote_max + 1)
    if j < 0:
        return False
    inner = text[i + 1 : j]
    return len(inner) <= r.quote_max and not any(c in r.quote_pairs for c in inner)


@lru_cache(maxsize=1 << 14)
def _core_info(core: str) -> tuple[float | None, float, bool, bool]:
    """What the finder needs to know of one numeral, whatever its context (cached: numerals
    repeat): its value, the multiplier written at its end, whether it is a bare multiplier
    (万, 百万), and whether it is an estimate written as two adjacent digits (二三, 三四)."""
    bare = core[0] in "百千万亿佰仟萬億"
    value, factor = _core_value_factor(core, bare)
    return value, factor, bare, rules().adjacent_re.match(core) is not None


_ARABIC = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _core_value_factor(core: str, bare: bool) -> tuple[float | None, float]:
    """Value of one numeral and the multiplier written at its end."""
    if not bare and len(core) <= 25 and _ARABIC.fullmatch(core):
        return float(core), 1.0  # what parse_number gives a plain Arabic numeral
    value = _core_value(core, bare)
    tm = None if bare or ("万" not in core and "亿" not in core) else _TRAILING_MULT.search(core)
    return value, (_mult_factor(tm.group(0)) if tm else 1.0)


def _core_value(text: str, bare: bool) -> float | None:
    if bare:
        v = 1.0
        for ch in text:
            v *= _MULTIPLIERS.get(ch, 1.0)
        return v
    return parse_number(text)


_TRAILING_MULT = regex.compile(r"(万亿|千亿|百亿|十亿|千万|百万|十万|万|亿)+[余多几]?\Z")


def _inner_at(text: str, core: str, end: int, value: float, factor: float, r: _Rules):
    """The inner qualifier and multiplier after a numeral ending at ``end`` ("余万", "多"):
    ``(end, value, approx, factor)`` with them applied."""
    approx = False
    if text[end:end + 1] in r.inner_first:
        inner = r.inner_re.match(text, end)
        if inner.end() > end:
            q1, mul, q2 = inner.groups()
            if q1 == "来" and not (core[-1] in "十百千" and not mul):
                q1 = mul = q2 = None  # 来 approximates only a round numeral: 十来个 (not 3年来)
            if mul == "千" and text[inner.end(2):inner.end(2) + 1] in _KILO_UNITS:
                q1 = mul = q2 = None  # "500千瓦": 千 belongs to the unit (千瓦, 千米, 千克), not the number
            if q1 or mul or q2:
                if mul:
                    value *= _MULTIPLIERS[mul]
                    factor *= _MULTIPLIERS[mul]
                approx = bool(q1 or q2)
                end = inner.end()
    return end, value, approx, factor


def _number_at(text: str, pos: int, r: _Rules):
    """Parse ``numeral [inner qualifier] [multiplier] [inner qualifier]`` at ``pos``.

    Returns ``(end, value, approx, bare, factor)`` or None; ``factor`` is the trailing
    multiplier written (万 -> 1e4), 1.0 when none — ranges apply it to their first end.
    """
    m = r.core_re.match(text, pos)
    if not m or m.end() == pos:
        return None
    core = m.group(0)
    value, factor, bare, _ = _core_info(core)
    if value is None:
        return None
    end, value, approx, factor = _inner_at(text, core, m.end(), value, factor, r)
    return end, value, approx, bare, factor


def _mult_factor(s: str) -> float:
    f = 1.0
    i = 0
    while i < len(s):
        for k in ("万亿", "千亿", "百亿", "十亿", "千万", "百万", "十万", "万", "亿"):
            if s.startswith(k, i):
                f *= _MULTIPLIERS[k]
                i += len(k)
                break
        else:
            i += 1
    return f


def _unit_at(text: str, pos: int, r: _Rules) -> tuple[int, str, _Unit] | None:
    c = text[pos:pos + 1]
    if c in r.points_first and (c == " " or c == "\t" or text[pos + 1:pos + 2] in r.points_second[c]):
        sp = r.spaced_points_re.match(text, pos)
        if sp and " " in sp.group(0).strip():
            return sp.end(), sp.group(0), _Unit("percent", "个百分点")
    words = r.units_by_first.get(c)
    if words is not None:  # what unit_re would match, without the call
        for word in words:
            if text.startswith(word, pos):
                break
        else:
            return None
        end = pos + len(word)
    else:
        if c != " " and c != "\t":
            return None
        m = r.unit_re.match(text, pos)
        if not m:
            return None
        word = m.group(0).lstrip(" \t")
        end = m.end()
    # a unit that begins a longer word is not a unit: 位数, 元年, 克服, 期间 …
    longer = r.longer_words[word]
    if longer:
        for w in longer.get(text[end:end + 1], ()):
            if text.startswith(w, end - len(word)):
                return None
    if word in r.tail_only and _is_han(text[end:end + 1]):
        return None  # "三次全国对口援疆工作会议": 次 before a name (but "召开会议4次")
    return end, word, r.units[word]


def _cand_key(c):
    return c[0], c[1]


def _symbol_runs(text: str, cands: list, r: _Rules) -> list:
    """Add the runs that start one or two characters after a currency symbol ("$20", "¥ 5")."""
    have = {c[0] for c in cands}
    add = []
    for m in r.symbol_class.finditer(text):
        k = m.start()
        for j in (k + 1, k + 2):
            # a run starts at j: a numeral character not inside a run begun at k + 1
            if j not in have and text[j:j + 1] in r.numeral_chars and (j == k + 1 or text[k + 1] not in r.numeral_chars):
                have.add(j)
                add.append((j, 1, r.run_any.match(text, j).end()))
    return sorted(cands + add, key=_cand_key) if add else cands


def find_figures(text: str, *, kinds: tuple[str, ...] = ("money", "count", "percent", "quantity"),
                 bare_currency: bool = False) -> list[Figure]:
    """Every figure in one normalised text, in order, non-overlapping.

    >>> [(f.text, f.value) for f in find_figures("近30万消费者、4500多家企业在平台注册")]
    [('近30万消费者', 300000.0), ('4500多家', 4500.0)]
    """
    if not text:
        return []
    r = rules()
    # Candidates: runs of numeral characters that something a figure needs follows (a unit, a
    # qualifier, a multiplier …) or that stand after a currency symbol, and "百分之…" prefixes —
    # so the numeral grammar and the per-figure rules only run where a figure can start.
    # (start, 1 run | 2 second amount in a run, run end) or (start, 0, "百分之" match)
    cands = [(m.start(), 1, m.end()) for m in r.run_scan.finditer(text)]
    if any(c in text for c in r.symbol_chars):
        cands = _symbol_runs(text, cands, r)
    if any(c in text for c in r.pct_last):
        pct = [(m.start(), 0, m) for m in r.pct_prefix_re.finditer(text)]
        if pct:
            cands += pct
            cands.sort(key=_cand_key)
    blocked = None
    out: list[Figure] = []
    pos = 0
    i = 0
    plain, core_re = r.plain_re, r.core_re
    while i < len(cands):
        s, typ, x = cands[i]
        i += 1
        if s < pos:
            continue
        if typ == 0:
            fig = _percent_prefixed(text, x, r)
        else:
            if (plain.fullmatch(text, s, x) is not None and text[s - 1:s] not in NUMERAL_CHARS
                    and text[x:x + 1] not in NUMERAL_CHARS):
                e = x  # "112", "149.53亿": the run is the numeral
            else:
                cm = core_re.match(text, s)
                if cm is None or cm.end() == s:
                    continue
                e = cm.end()
            fig = _figure_at(text, s, e, text[s:e], r)
        if fig is None:
            continue
        if _quoted_name(text, fig.start, fig.end, r):
            continue  # “四项行动”: a name
        if fig.kind not in kinds:
            continue
        if blocked is None:
            blocked = [m.span() for m in r.blocked_re.finditer(text)]
            blocked_ends = [b for a, b in blocked]
        if blocked:
            k = bisect.bisect_right(blocked_ends, fig.start)  # the first span ending after the start
            if k < len(blocked) and blocked[k][0] < fig.end:
                continue  # inside a code, a date, a plan name
        out.append(fig)
        pos = fig.end
        if typ and pos < x:  # "$20，300美圆": the run holds a second amount
            rest = r.run_any.search(text, pos + 1)
            if rest is not None and rest.start() < x:
                bisect.insort(cands, (rest.start(), 2, rest.end()), lo=i, key=_cand_key)
    if "percent" in kinds and any(w in text for w in r.tenths_whole_words):
        for m in r.tenths_whole_re.finditer(text):  # "打对折", "半成"
            need = r.tenths_whole_before.get(m.group(0))
            if need and text[max(0, m.start() - len(need)):m.start()] != need:
                continue
            if not any(f.start < m.end() and m.start() < f.end for f in out):
                v = r.tenths_whole[m.group(0)]
                out.append(Figure(m.start(), m.end(), m.group(0), "percent", v, v, v, "exact", "%", unit_start=m.start()))
        out.sort(key=lambda f: f.start)
    if bare_currency:
        out = sorted(out + _bare_currencies(text, out, r), key=lambda f: f.start)
    return out


def _bare_currencies(text: str, figs: list[Figure], r: _Rules) -> list[Figure]:
    """Currency names with no amount ("人民币 美元"), as Recognizers-Text's currency model reports them."""
    extra = []
    for m in r.bare_currency_re.finditer(text):
        if any(f.start <= m.start() < f.end for f in figs):
            continue
        u = r.units[m.group(0)]
        extra.append(Figure(m.start(), m.end(), m.group(0), "money", None, None, None, "exact", u.unit, u.code,
                            unit_start=m.start()))
    return extra


def _percent_prefixed(text: str, m, r: _Rules) -> Figure | None:
    """"百分之二十", "千分之2.4" (value in percent)."""
    if m.start() and text[m.start() - 1] in r.numeral_chars:
        return None  # "五百分之2.2" is a fraction of 500, not a percentage
    n = r.core_re.match(text, m.end())
    if n is None or n.group("bare") is not None:
        return None
    v = parse_number(n.group(0))
    if v is None:
        return None
    nxt = text[n.end():n.end() + 1]
    if nxt and nxt in _CN_SMALL:
        return None  # "百分之二三十": an estimate, not a figure
    v *= r.pct_prefix[regex.sub(r"[ \t]", "", m.group(0))]
    fig = Figure(m.start(), n.end(), text[m.start():n.end()], "percent", v, v, v, "exact", "%", unit_start=m.start())
    before = text[max(0, m.start() - 6):m.start()]
    pm = _prefix(before, r)
    if pm and pm.group(0).strip(" \t") not in r.bare_only:
        fig.start -= len(pm.group(0))
        fig.text = text[fig.start:fig.end]
        fig.qualifier = r.prefix_kind[pm.group(0).strip(" \t")]
    return _finish(text, fig, r)


def _prefix(before: str, r: _Rules):
    """The prefix qualifier ending ``before`` ("超过", "近"), unless it is the tail of a word (签约)."""
    pm = r.prefix_re.search(before)
    if pm is None:
        return None
    word = pm.group(0).strip(" \t")
    if len(word) == 1 and pm.start() > 0 and before[pm.start() - 1] in r.not_after.get(word, ()):
        return None
    return pm


def _figure_at(text: str, s: int, e: int, core_text: str, r: _Rules) -> Figure | None:
    """The figure whose numeral ``core_text`` is ``text[s:e]``, or None.

    Each rule's pattern runs only when the character it needs is there (``r.*_first`` /
    ``r.*_last`` sets): most numerals need two or three of them.
    """
    prev = text[s - 1] if s else ""
    nxt = text[e:e + 1]
    if nxt not in r.follow and core_text[-1] not in "万亿萬億" and not (
            prev in r.symbol_chars or text[s - 2:s - 1] in r.symbol_chars):
        return None  # cheap first test: nothing a figure needs follows this numeral
    before = None
    special = prev in r.prev_special
    if special:
        # codes and ordinals: G30, TOP100, 第3次, 1.2.3; vague amounts: 几十万, 数万
        if prev in r.bad_prev and not (prev == "/" and r.unit_end_re.search(text, max(0, s - 9), s - 1)):
            return None  # (but "100兆瓦/200兆瓦时": a slash after a unit lists another figure)
        if prev in r.reject_last:
            before = text[max(0, s - 6):s]
            if r.reject_before_re.search(before):
                return None  # 第3次, 几十万, 连续三届
    if e - s == 1 and nxt in r.one_digit_next:
        disc = _two_digit_discount(text, s, e, r)
        if disc is not None and not _quoted_name(text, disc.start, disc.end, r):
            return disc  # (a quoted one is dropped, and the numeral read on its own)
    value, factor, bare, adjacent = _core_info(core_text)
    if adjacent or (special and prev in _CN_SMALL and core_text[0] in _CN_SMALL):
        return None  # "二三十个", "三四家": estimates
    if value is None:
        return None
    if nxt in r.inner_first:
        end, value, approx, factor = _inner_at(text, core_text, e, value, factor, r)
    else:
        end, approx = e, False
    had_mult = factor > 1.0 or bare
    pm = prefix = None
    if special and prev in r.prefix_last:
        if before is None:
            before = text[max(0, s - 6):s]
        pm = _prefix(before, r)
        if pm:
            prefix = pm.group(0).strip(" \t")
            if prefix in r.bare_only and not bare:
                prefix, pm = None, None
    if bare and not prefix and not approx:
        return None  # a bare 万 needs a qualifier: 超万亩, 上万人, 千余人 (not 千家万户)
    start = s - len(pm.group(0)) if prefix else s
    symbol_unit = None
    if special and not prefix and prev in r.symbol_last:
        if before is None:
            before = text[max(0, s - 6):s]
        sym = r.symbol_re.search(before)
        if sym:
            start = s - len(sym.group(0))
            symbol_unit = r.symbols[sym.group(0).strip(" \t")]

    if symbol_unit and "，" in core_text:
        # "$20，300美圆": after a currency symbol the full-width comma lists amounts
        cut = s + core_text.index("，")
        v = parse_number(text[s:cut])
        if v is None:
            return None
        code, uname = symbol_unit
        return _finish(text, Figure(start, cut, text[start:cut], "money", v, v, v, "exact", uname, code,
                                    unit_start=start), r)
    after = text[end:end + 1]
    if not had_mult and after in r.tenths_first:
        tenths = r.tenths_re.match(text, end)
        if tenths and not r.tenths_not.match(text, tenths.end(1)) and value <= 100:
            # "九成" = 90%, "三成半" = 35%, "75折" = 75%, "十成" = 100%
            v = value * 10 if value <= 10 else value
            if v > 100 or (tenths.group(1) == "成" and value > 10) or (tenths.group(1) == "折" and value == 10):
                return None  # "十折" is no discount; "15成" is not a share
            v += 5.0 if tenths.group(2) else 0.0
            t_end = tenths.end()
            if tenths.group(3):
                if tenths.group(1) == "成" and value < 10:
                    v += parse_number(tenths.group(3)) or 0.0
                else:
                    t_end = tenths.end(1)  # "七折5件": the digit belongs to what follows
            return _finish(text, Figure(start, t_end, text[start:t_end], "percent", v, v, v,
                                        _qual(prefix, "approx" if approx else "exact", r), "%", unit_start=end), r)
    unit = _unit_at(text, end, r) if after in r.unit_first else None
    qualifier = "approx" if approx else "exact"
    low = high = value
    # ranges: "3至5个", "20—40万元", "90元至120元", "2万至3万元", "3-5亿元"
    at = unit[0] if unit else end
    if not symbol_unit and text[at:at + 1] in r.sep_first:
        sep = r.range_sep_re.match(text, at)
        if sep:
            num2 = _number_at(text, sep.end(), r)
            if num2 is not None and not num2[3]:
                unit2 = _unit_at(text, num2[0], r)
                ascii_sep = sep.group(0).strip(" \t") in ("-", "~")
                ok = unit2 is not None and (unit is None or unit[2] == unit2[2])
                if ok and ascii_sep and not (core_text.isascii() and text[sep.end()].isascii()):
                    ok = False
                if ok:
                    v1, v2 = value, num2[1]
                    if not had_mult and num2[4] > 1.0 and v1 * num2[4] <= v2:
                        v1 *= num2[4]  # "20—40万元": the multiplier of the second end applies to both
                    if v1 < v2:
                        value, low, high = v1, v1, v2
                        qualifier = "range"
                        unit = unit2
    if unit is None:
        if symbol_unit:
            code, uname = symbol_unit
            return _finish(text, Figure(start, end, text[start:end], "money", value, low, high,
                                        _qual(prefix, qualifier, r), uname, code, unit_start=start), r)
        if had_mult and not bare:
            de = r.bare_de_re.match(text, end)
            if de:  # "超过40万的贫困人口": a head count whose noun stands after 的
                return _finish(text, Figure(start, end, text[start:end], "count", value, low, high,
                                            _qual(prefix, qualifier, r), r.bare_nouns[de.group(1)], None,
                                            unit_start=end), r)
            bn = r.bare_before_re.search(text, max(0, start - 16), start)
            if bn and _money_tail_ok(text, end):  # "全县总人口52万", "观众超过5万"
                return _finish(text, Figure(start, end, text[start:end], "count", value, low, high,
                                            _qual(prefix, qualifier, r), r.bare_nouns[bn.group(1)], None,
                                            unit_start=end), r)
            if r.money_context.search(_clause_before(text, s)) and _money_tail_ok(text, end):
                # a bare amount with a multiplier in a money context: "3.2亿", "150亿"
                return _finish(text, Figure(start, end, text[start:end], "money", value, low, high,
                                            _qual(prefix, qualifier, r), "元", "CNY", unit_start=end), r)
        return None
    uend, word, u = unit
    kind, unit_name, currency = u.kind, u.unit, u.code
    one = core_text in r.one and not had_mult and not prefix
    if kind == "count":
        if one:
            return None  # determiner 一: 一个过来人, 一批企业
        if word in r.bare_nouns:
            if not had_mult:
                return None  # "30万消费者" is a figure, "3消费者" is not how one is written
            unit_name = r.bare_nouns[word]
        elif text[uend:uend + 1] in r.duration_first and r.duration_follow_re.match(text, uend):
            return None  # 28个春秋, 3个月
        if r.drop_zero_counts and value == 0:
            return None
        if word in r.output_measures and r.output_context.search(_clause_before(text, s)):
            kind = "quantity"  # 年产各类电动车200万辆
    elif kind == "quantity":
        if one:
            return None  # 一人一亩果
        if word == "P" and not r.p_context.search(_sentence_around(text, s)):
            return None
        if (r.speed_words.search(text, max(0, s - r.speed_window), s)
                and r.speed_context.search(_clause_before(text, s))):
            unit_name = r.speed_unit  # 设计时速30公里
    elif kind == "money":
        if word in r.colloquial:  # 三块 / 三块钱, not 三块地
            nxt = text[uend:uend + 1]
            if nxt == "钱":
                uend += 1
            elif _is_han(nxt):
                return None
        if text[uend:uend + 1] in r.subunit_first:
            value, low, high, uend = _subunits(text, uend, currency, value, low, high, r)
    elif kind == "percent":
        if u.factor != 1.0:
            value, low, high = (None if x is None else x * u.factor for x in (value, low, high))
        sign = text[start - 1:start] if start else ""
        if sign in ("-", "负") and not (start > 1 and text[start - 2].isdigit()):
            # "-22.2%", "负3.9%": a negative rate
            start -= 1
            value, low, high = (None if x is None else -x for x in (value, high, low))
    if qualifier == "range":
        return Figure(start, uend, text[start:uend], kind, value, low, high, qualifier, unit_name, currency,
                      uend - len(word))
    if prefix:
        qualifier = r.prefix_kind[prefix]
    ustart = uend - len(word)
    if text[uend:uend + 1] in r.suffix_first:  # _finish
        sm = r.suffix_re.match(text, uend)
        if sm:
            kind_q = r.suffix_kind[sm.group(0)]
            uend = sm.end()
            if kind_q != "approx" or qualifier == "exact":
                qualifier = kind_q
    if qualifier == "min":
        low, high = value, None
    elif qualifier == "max":
        low, high = None, value
    elif qualifier == "exact" or qualifier == "approx":
        low = high = value
    return Figure(start, uend, text[start:uend], kind, value, low, high, qualifier, unit_name, currency, ustart)


_ONE_DIGIT = regex.compile(r"[0-9一二三四五六七八九两]")


def _two_digit_discount(text: str, s: int, e: int, r: _Rules) -> Figure | None:
    """"七五折", "7 2 折", "九 九 折": a discount written digit by digit is the percentage."""
    if e - s != 1 or not _ONE_DIGIT.match(text, s):
        return None
    j = e + 1 if text[e:e + 1] in (" ", "\t") else e
    if not _ONE_DIGIT.match(text, j):
        return None
    t = r.tenths_re.match(text, j + 1)
    if not t or t.group(1) != "折" or r.tenths_not.match(text, t.end(1)):
        return None
    a, b = parse_number(text[s]), parse_number(text[j])
    if a is None or b is None:
        return None
    v = a * 10 + b
    return _finish(text, Figure(s, t.end(), text[s:t.end()], "percent", v, v, v, "exact", "%", unit_start=j + 1), r)


def _money_tail_ok(text: str, end: int) -> bool:
    """A bare "3.2亿" is money only if no other numeral or date word glues to it."""
    nxt = text[end:end + 1]
    return not nxt or not (nxt.isdigit() or nxt in "年月日号")


def _subunits(text, pos, code, value, low, high, r):
    """"五元三毛", "两美元又三美分", "10日元5日本銭"."""
    lead = r.subunit_lead_re.match(text, pos)
    n = r.core_re.match(text, lead.end())
    if n is None or n.group("bare") is not None:
        return value, low, high, pos
    w = r.subunit_word_re.match(text, n.end())
    if w is None or r.subunits[w.group(0)][0] != code:
        return value, low, high, pos
    v = parse_number(n.group(0))
    if v is None:
        return value, low, high, pos
    add = v * r.subunits[w.group(0)][1]
    return (value + add, None if low is None else low + add, None if high is None else high + add, w.end())


def _qual(prefix: str | None, qualifier: str, r: _Rules) -> str:
    if qualifier == "range":
        return "range"
    return r.prefix_kind[prefix] if prefix else qualifier


def _finish(text: str, fig: Figure, r: _Rules) -> Figure | None:
    """Suffix qualifiers (以上, 左右, 内) and interval bounds (the quoted-name check is
    :func:`find_figures`', for every figure)."""
    if fig.qualifier != "range" and text[fig.end:fig.end + 1] in r.suffix_first:
        sm = r.suffix_re.match(text, fig.end)
        if sm:
            kind = r.suffix_kind[sm.group(0)]
            fig.end = sm.end()
            fig.text = text[fig.start:fig.end]
            if kind != "approx" or fig.qualifier == "exact":
                fig.qualifier = kind
    v = fig.value
    q = fig.qualifier
    if q == "min":
        fig.low, fig.high = v, None
    elif q == "max":
        fig.low, fig.high = None, v
    elif q == "exact" or q == "approx":
        fig.low = fig.high = v
    return fig


def _clause_before(text: str, pos: int) -> str:
    lo = max(0, pos - 40)
    seg = text[lo:pos]
    cut = max(seg.rfind(c) for c in "，,。；;！？!?\n")
    return seg[cut + 1:] if cut >= 0 else seg


def _sentence_around(text: str, pos: int) -> str:
    lo = max(0, pos - 120)
    hi = min(len(text), pos + 60)
    seg_before = text[lo:pos]
    cut = max(seg_before.rfind(c) for c in "。！？!?\n")
    a = lo + cut + 1 if cut >= 0 else lo
    seg_after = text[pos:hi]
    ends = [i for i in (seg_after.find(c) for c in "。！？!?\n") if i >= 0]
    b = pos + min(ends) if ends else hi
    return text[a:b]
