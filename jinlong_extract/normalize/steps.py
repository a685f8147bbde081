"""The normalisation steps, each a small pure function ``str -> (str, EditMap)``.

Order (see :func:`jinlong_extract.normalize.normalize`): mojibake repair first (it needs the
characters exactly as mis-decoded), then pinyin glosses, traditional -> simplified, full-width
folding, and last the joining of lines broken inside a word (it looks at punctuation the
earlier steps have settled).

Rules live in ``data/normalize.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from itertools import accumulate, chain

from jinlong_extract.data import load_table
from jinlong_extract.normalize.textmap import EditMap, Edit, apply_edits, edit_map

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RULES = load_table("normalize")


# --------------------------------------------------------------------------- (a) pinyin glosses
def _gloss_regex(opening: str | None = None) -> re.Pattern[str]:
    """The gloss pattern; ``opening`` picks one bracket (a literal first character lets the
    regex engine skip ahead to it, several times faster than a class of both)."""
    p = _RULES["pinyin"]
    tone = re.escape(p["tone_vowels"])
    letters = re.escape(p["letters"])
    syllable = f"[{letters}{tone}]{{0,{p['max_len'] - 1}}}"
    # a Han character, then a bracket holding one syllable with at least one tone mark
    # The bracket comes first so the regex engine can skip ahead to brackets (a leading
    # lookbehind would be tried at every position); the Han check is a lookbehind after it.
    op = re.escape(p["open"])
    first = f"[{op}]" if opening is None else re.escape(opening)
    return re.compile(
        f"{first}(?<=[{_HAN}][{op}])(?=[{letters}{tone}]{{1,{p['max_len']}}}[{re.escape(p['close'])}])"
        f"[{letters}]*[{tone}]{syllable}[{re.escape(p['close'])}]"
    )


_GLOSS = _gloss_regex()
# One pattern per opening bracket, the whole match captured so that ``split`` returns the
# text around the glosses and the glosses themselves (no match objects; positions follow from
# the lengths). A gloss holds no bracket, so glosses never overlap and the union of the
# matches of both patterns is exactly the matches of ``_GLOSS``.
_GLOSS_SPLIT = [re.compile(f"({_gloss_regex(o).pattern})") for o in _RULES["pinyin"]["open"]]
_GLOSS_SPLIT_OK = not set(_RULES["pinyin"]["letters"] + _RULES["pinyin"]["tone_vowels"]) & set(
    _RULES["pinyin"]["open"] + _RULES["pinyin"]["close"]
)


def _gloss_spans(text: str) -> tuple[list[int], list[int], str | None]:
    """Starts and ends of every ``_GLOSS`` match, in order, and the text without them when one
    ``split`` found them all (else None)."""
    if not _GLOSS_SPLIT_OK:  # pragma: no cover - a bracket among the gloss letters: overlaps possible
        spans = [m.span() for m in _GLOSS.finditer(text)]
        return [a for a, _ in spans], [b for _, b in spans], None
    starts: list[int] = []
    ends: list[int] = []
    kinds = 0
    out = None
    for bracket, pat in zip(_RULES["pinyin"]["open"], _GLOSS_SPLIT):
        if bracket not in text:
            continue
        parts = pat.split(text)
        if len(parts) == 1:
            continue
        kinds += 1
        pos = list(accumulate(map(len, parts), initial=0))
        starts += pos[1:-1:2]
        ends += pos[2::2]
        out = "".join(parts[::2])
    if kinds > 1:
        starts, ends = map(list, zip(*sorted(zip(starts, ends))))
        out = None
    return starts, ends, out


def strip_pinyin_glosses(text: str) -> tuple[str, EditMap]:
    """Remove pinyin glosses glued after Han characters.

    >>> strip_pinyin_glosses("1400余萬(wàn)元，濱(bīn)海（二）(甘肃)")[0]
    '1400余萬元，濱海（二）(甘肃)'
    """
    if "(" not in text and "（" not in text:
        return text, EditMap()
    # The gloss belongs to the character it reads: "產(chǎn)" -> "產" is one replacement, so a
    # span ending on 產 maps back to "產(chǎn)" (the gold writes figures as "14個(gè)").
    starts, ends, out = _gloss_spans(text)
    if not starts:
        return text, EditMap()
    if out is None:
        out = "".join(map(text.__getitem__, map(slice, chain((0,), ends), chain(starts, (None,)))))
    # replacing "產(chǎn)" by "產" is deleting the bracket
    return out, edit_map(list(map(_MINUS_ONE, starts)), ends, [1] * len(starts))


_MINUS_ONE = (-1).__add__


# --------------------------------------------------------------------------- (b) t2s
@lru_cache(maxsize=2)
def _converter(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=4096)
def _t2s_char(ch: str) -> str:
    out = _converter("t2s").convert(ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> tuple[str, EditMap]:
    """Traditional -> simplified with OpenCC ``t2s``, one character for one.

    Lines whose length OpenCC changes (phrase conversions) are converted character by
    character instead, so the step needs no offset map.

    >>> to_simplified("產品總額達1.92億元")[0]
    '产品总额达1.92亿元'
    """
    out = _converter("t2s").convert(text)
    if len(out) == len(text):
        in_lines = text.split("\n")
        out_lines = out.split("\n")
        if list(map(len, in_lines)) == list(map(len, out_lines)):  # same number of lines, each as long
            return out, EditMap()
    else:
        in_lines = text.split("\n")
        out_lines = [_converter("t2s").convert(line) for line in in_lines]
    fixed = [
        b if len(a) == len(b) else "".join(_t2s_char(c) for c in a)
        for a, b in zip(in_lines, out_lines)
    ]
    return "\n".join(fixed), EditMap()


def _count_differences(a: str, b: str) -> int:
    """How many positions of the equal-length ``a`` and ``b`` hold different characters.

    Word-parallel on big integers: XOR the UTF-32 encodings (a lane is 0 where the characters
    agree), add 0x7FFFFFFF to every lane (a lane below 2**21 sets its top bit exactly when it is
    not 0, and never carries into the next lane), and count the top bits.

    >>> _count_differences("天津市對口", "天津市对口")
    1
    """
    n = len(a)
    x = int.from_bytes(a.encode("utf-32-le"), "little") ^ int.from_bytes(b.encode("utf-32-le"), "little")
    low = int.from_bytes(b"\xff\xff\xff\x7f" * n, "little")
    top = int.from_bytes(b"\x00\x00\x00\x80" * n, "little")
    return ((x + low) & top).bit_count()


def _changed_share(han: str, config: str) -> float:
    out = _converter(config).convert(han)
    if len(out) != len(han):
        return 0.0
    return _count_differences(han, out) / len(han)


_HAN_RUN = re.compile(f"[{_HAN}]+")


def _char_class(chars: frozenset[str]) -> re.Pattern[str] | None:
    """A compiled class of ``chars`` (runs of consecutive code points as ranges), None if empty."""
    if not chars:
        return None
    cps = sorted(map(ord, chars))
    runs: list[list[int]] = []
    for cp in cps:
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs)
    return re.compile(f"[{body}]")


class _ScriptSets:
    """Regexes of the ``changed`` / ``always`` / ``reshaping`` characters of an OpenCC config
    (see :mod:`jinlong_extract.normalize.opencc_sets`), compiled on first use. Han BMP
    characters only, so ``re`` compiles each class to a bitmap."""

    def __init__(self, config: str) -> None:
        from jinlong_extract.normalize.opencc_sets import char_sets

        self.sets = char_sets(config, _converter(config))

    @cached_property
    def changed(self) -> re.Pattern[str] | None:
        return _char_class(self.sets.changed)

    @cached_property
    def always(self) -> re.Pattern[str] | None:
        return _char_class(self.sets.always)

    @cached_property
    def reshaping(self) -> re.Pattern[str] | None:
        return _char_class(self.sets.reshaping)


@lru_cache(maxsize=2)
def _script_sets(config: str) -> _ScriptSets:
    return _ScriptSets(config)


def _count(pattern: re.Pattern[str] | None, han: str) -> int:
    return 0 if pattern is None else len(pattern.findall(han))


class _Share:
    """Lazily computed bounds of :func:`_changed_share` (``han``, ``config``) from the
    dictionaries' character sets: ``lo() <= share <= hi()``; both are the exact share (OpenCC
    run) when a character that changes the text length occurs."""

    __slots__ = ("han", "config", "sets", "_lo", "_hi")

    def __init__(self, han: str, config: str) -> None:
        self.han = han
        self.config = config
        self.sets = _script_sets(config)
        self._lo: float | None = None
        self._hi: float | None = None
        reshaping = self.sets.reshaping
        if reshaping is not None and reshaping.search(han) is not None:
            self.exact()

    def exact(self) -> float:
        if self._lo is None or self._lo != self._hi:
            self._lo = self._hi = _changed_share(self.han, self.config)
        return self._lo  # type: ignore[return-value]

    def lo(self) -> float:
        if self._lo is None:
            self._lo = _count(self.sets.always, self.han) / len(self.han)
        return self._lo

    def hi(self) -> float:
        if self._hi is None:
            self._hi = _count(self.sets.changed, self.han) / len(self.han)
        return self._hi


def detect_script(text: str, sample_chars: int = 800) -> str:
    """``simplified`` / ``traditional`` / ``mixed``, from a sample of Han characters spread over
    the text: the share of them OpenCC ``t2s`` changes (~0 for simplified text) and, only when
    that is not ~0, the share ``s2t`` changes (~0 for traditional text).

    The shares are first bounded from OpenCC's dictionaries (:class:`_Share`); OpenCC itself
    only runs when the bounds cannot settle the answer.

    >>> detect_script("天津市對口支援"), detect_script("天津市对口支援")
    ('traditional', 'simplified')
    """
    if len(text) > 4 * sample_chars:
        step = len(text) // 4
        text = "".join(text[i * step : i * step + sample_chars] for i in range(4))
    changed = _script_sets("t2s").changed
    if changed is None or changed.search(text) is None:
        return "simplified"  # no character t2s could change: its share is 0
    han = "".join(_HAN_RUN.findall(text))[: 2 * sample_chars]
    if not han:
        return "simplified"
    # simplified when t < 0.01; else traditional when s < 0.01 or s < t / 4; else mixed
    t = _Share(han, "t2s")
    if t.lo() < 0.01:
        if t.hi() < 0.01 or t.exact() < 0.01:
            return "simplified"
    s = _Share(han, "s2t")
    if s.hi() < 0.01 or s.hi() < t.lo() / 4:
        return "traditional"
    if s.lo() >= 0.01 and s.lo() >= t.hi() / 4:
        return "mixed"
    if s.exact() < 0.01 or s.exact() < t.lo() / 4:
        return "traditional"
    if s.exact() >= t.hi() / 4:
        return "mixed"
    return "traditional" if s.exact() < t.exact() / 4 else "mixed"


# --------------------------------------------------------------------------- (c) full width
def _width_table() -> dict[int, str]:
    keep = set(_RULES["width"]["keep"])
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in keep}
    table.update({ord(k): v for k, v in _RULES["width"]["extra"].items()})
    return table


_WIDTH_TABLE = _width_table()
_WIDTH_ANY = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_WIDTH_TABLE)) + "]")
_WIDTH_RUN = re.compile(_WIDTH_ANY.pattern + "+")


def fold_width(text: str) -> tuple[str, EditMap]:
    """Fold full-width digits, letters and number punctuation, one character for one.

    Chinese punctuation ，。；：、！？“” is kept (clause boundaries); （ ） fold to ( ) so the
    later stages see one kind of bracket (bylines mix both).

    >>> fold_width("１２３．５％，（二）")[0]
    '123.5%，(二)'
    """
    if _WIDTH_ANY.search(text) is None:
        return text, EditMap()
    return _WIDTH_RUN.sub(lambda m: m.group().translate(_WIDTH_TABLE), text), EditMap()


# --------------------------------------------------------------------------- (d) broken lines
_J = _RULES["join"]
_FINAL = frozenset(_J["final"])
_CLAUSE = re.compile("[" + re.escape(_J["clause"]) + "]")
_OPENING = _J["opening"]
_CLOSING = _J["closing"]
_NUM_CONT = frozenset(_J["number_continuation"])
# a line break, optionally with one blank line, between two non-blank characters; spaces
# before the break are taken in by walking back in Python (a leading [ ]* would be tried at
# every position)
_BREAK = re.compile(f"\\n(?:[ \\t\u3000\u00a0]*\\n)?[ \\t\u3000\u00a0]*(?=[{_HAN}0-9“‘])")
_HSPACE = " \t\u3000\u00a0"
# The breaks _BREAK finds, less those right after a character that is neither a word character,
# a decimal point nor a space (never joined): a lookbehind right after the literal "\n" keeps the
# fast literal scan. A break this drops cannot hide a later one: the blank line it would have
# consumed holds only spaces back to a "\n", so a break found inside it is skipped below as before.
_BREAK_CAND = re.compile(f"\\n(?<=[{_HAN}0-9“‘.{_HSPACE}]\\n)" + _BREAK.pattern[2:])
_WORDCHAR = re.compile(f"[{_HAN}0-9“‘]")
_SPACES_INSIDE = re.compile(r"\S\s{1,}\S")
_SHORT_HEAD = re.compile(f"[{_HAN}][、，,]")


_MIN_BODY = _J["min_body_chars"]
_OPEN_ANY = re.compile("[" + re.escape(_OPENING) + "]")


def _unclosed(line: str) -> bool:
    if _OPEN_ANY.search(line) is None:
        return False
    for o, c in zip(_OPENING, _CLOSING):
        if line.count(o) > line.count(c):
            return True
    return False


def join_broken_lines(text: str, is_boilerplate: Callable[[str], bool] | None = None) -> tuple[str, EditMap]:
    """Join lines broken inside a word or a number; keep paragraph ends, headlines, bylines.

    ``is_boilerplate(line)`` (optional) vetoes joining into or out of page furniture; it is
    only asked about the few breaks the other rules would join.

    >>> join_broken_lines("武清经济技术开发区、北辰经济技术\\n\\n开发区分别与天津产业园签署合作协议。")[0]
    '武清经济技术开发区、北辰经济技术开发区分别与天津产业园签署合作协议。'
    >>> join_broken_lines("津甘协作步入产业合作新阶段\\n\\n自1996年中央确定天津市对口帮扶甘肃省以来。")[0]
    '津甘协作步入产业合作新阶段\\n\\n自1996年中央确定天津市对口帮扶甘肃省以来。'
    """
    if "\n" not in text:
        return text, EditMap()
    edits: list[Edit] = []
    for m in _BREAK_CAND.finditer(text):
        s, e = m.start(), m.end()
        nxt = text[e]  # a word character: the regex looked ahead for one
        while s > 0 and text[s - 1] in _HSPACE:
            s -= 1
        if s == 0:
            continue
        last = text[s - 1]
        if last == "." and nxt.isdigit() and s >= 2 and text[s - 2].isdigit() and text.count("\n", s, e) == 1:
            edits.append((s, e, ""))  # "投入资金12.\n5亿元": a decimal point ends no line
            continue
        if last in _FINAL or not _WORDCHAR.match(last):
            continue
        line_start = text.rfind("\n", 0, s) + 1
        prev = text[line_start:s].strip()
        # join when: the number goes on; or (a one-character clause, "委、省政府…", cannot
        # open a paragraph) or (a body line: long, with clause punctuation), either without
        # spaces inside; or a bracket is left open. The tests are pure: the cheap ones first,
        # the spaces scan once. ``prev`` is stripped, so _SPACES_INSIDE finds something exactly
        # when it holds any whitespace: the C split tells (one piece: none).
        short_head = _SHORT_HEAD.match(text, e) is not None
        if last.isdigit() and nxt in _NUM_CONT:
            # the number goes on ("1公里内的200" + blank + "余家缴存单位", a page break in 004), but
            # digit to digit only across one line break after a body line: "2022" + "30.8亿元" are
            # two table cells, "2024-01-08" + blank + "2023年…" a dateline and a paragraph
            single = text.count("\n", s, e) == 1
            join = (single and len(prev) >= _MIN_BODY) if nxt.isdigit() else (single or len(prev) >= _MIN_BODY)
        elif (short_head or (len(prev) >= _MIN_BODY and _CLAUSE.search(prev) is not None)) and len(prev.split(None, 1)) == 1:
            join = True
        else:
            join = _unclosed(prev)
        if join and is_boilerplate is not None:
            next_end = text.find("\n", e)
            nline = text[e : next_end if next_end >= 0 else len(text)]
            join = not (is_boilerplate(prev) or is_boilerplate(nline))
        if join:
            edits.append((s, e, ""))
    return apply_edits(text, edits)


# --------------------------------------------------------------------------- (e) mojibake
_M = _RULES["mojibake"]
_MOJI_PUNCT = frozenset(_M["punctuation"])
_LIST_NUMERALS = frozenset(_M["list_numerals"])
_TONE_LETTERS = _RULES["pinyin"]["letters"] + _RULES["pinyin"]["tone_vowels"]
# a "?" after a non-ASCII character (or at a line start) followed by non-ASCII, "!" or a
# pinyin remnant "qū)": the lost byte of a run decoded one byte out of step
_MOJI_START = re.compile(
    r"\?(?<![\x00-\x09\x0b-\x7f]\?)(?=[^\x00-\x7f]|!|[" + re.escape(_TONE_LETTERS) + r"]+\))", re.M
)
_REMNANT = re.compile("[" + re.escape(_TONE_LETTERS) + r"]+\)")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]*")
# a number whose first digit was swallowed by the shifted run ("匦略?00個" was "新增500個")
_EATEN_NUMBER = re.compile(r"\?[0-9][0-9.,]*")


@lru_cache(maxsize=None)  # a pure function of one character, asked thousands of times per file
def _plausible(ch: str) -> bool:
    if ch in _MOJI_PUNCT:
        return True
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return _t2s_char(ch) != ch  # a traditional character (傳, 頭): expected in these pages
    # GB2312 level 1 (0xB0-0xD7) holds the 3755 common characters; level 2 is where a
    # shifted reading lands on rare characters (辔, 匦)
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _plausible_prefix(run: str) -> int:
    n = 0
    for ch in run:
        if ch == "!" or not _plausible(ch):
            break
        n += 1
    return n


def _encode_run(run: str) -> tuple[bytes, list[int]] | None:
    """GB18030 bytes of ``run`` and the byte offset where each character starts (plus the end)."""
    out = bytearray()
    bounds = [0]
    for i, ch in enumerate(run):
        if ch == "!" and i == 0:
            b = _gb_bytes("！")  # an earlier pass folded the full-width ！ the shift produced
        else:
            b = _gb_bytes(ch)
            if b is None:
                return None
            if len(b) > 2:  # 4-byte GB18030 never comes out of a GBK decoder
                break
        out += b
        bounds.append(len(out))
    return bytes(out), bounds


@lru_cache(maxsize=None)
def _gb_bytes(ch: str) -> bytes | None:
    try:
        return ch.encode("gb18030")
    except UnicodeEncodeError:
        return None


@lru_cache(maxsize=None)
def _gb_char(b: bytes) -> str:
    return b.decode("gb18030", errors="replace")


def _shift_decode(data: bytes, bounds: list[int]) -> tuple[str, int, int]:
    """Decode ``data`` from byte 1 until the shifted reading meets a character boundary of the
    original reading again. Returns (plausible repaired prefix, chars of the run consumed up to
    the resync point, chars of the run whose bytes the repaired prefix used)."""
    bset = set(bounds)
    p = 1
    repaired: list[str] = []
    good = True
    good_end = 1
    while p < len(data):
        b0 = data[p]
        if b0 < 0x80:
            size = 1
        elif p + 1 < len(data) and 0x40 <= data[p + 1] <= 0xFE and data[p + 1] != 0x7F:
            size = 2
        else:
            break
        ch = _gb_char(data[p : p + size])
        p += size
        if good and size == 2 and _plausible(ch):
            repaired.append(ch)
            good_end = p
        else:
            good = False
        if p in bset:
            break
    if p not in bset:
        p = bounds[-1]
    consumed = bounds.index(p) if p in bset else len(bounds) - 1
    return "".join(repaired), consumed, good_end


def repair_mojibake(text: str) -> tuple[str, EditMap, list[tuple[int, int]]]:
    """Repair runs of GBK text decoded one byte out of step; mark what cannot be repaired.

    Returns the new text, its map, and the (output) ranges left unrepaired.

    >>> repair_mojibake("?。ㄒ唬┙∪a業(yè)協(xié)同")[0]
    '（一）健a業(yè)協(xié)同'
    """
    if "?" not in text:
        return text, EditMap(), []
    edits: list[Edit] = []
    marks: list[tuple[int, int]] = []  # input ranges left unrepaired (outside any edit)
    rest_marks: list[tuple[int, int]] = []  # (edit index, length of the unrepaired tail)
    max_run = _M["max_run"]
    pos = 0
    attempts = 0
    for m in _MOJI_START.finditer(text):
        i = m.start()
        if i < pos:
            continue
        attempts += 1
        if attempts > _M["max_attempts"]:
            break  # a file made of mojibake: not worth repairing, and must not take minutes
        j = i + 1
        rem = _REMNANT.match(text, j)
        if rem:
            j = rem.end()
        end_line = text.find("\n", j, j + max_run)
        limit = min(len(text), j + max_run, end_line if end_line >= 0 else len(text))
        k = j + 1 if j < limit and text[j] == "!" else j
        k = _NON_ASCII_RUN.match(text, k, limit).end() if k < limit else k
        if rem is None and k > j and _plausible_prefix(text[j : min(k, j + 3)]) == min(3, k - j):
            continue  # reads fine as it is (d01: "最大收益?一道道难题"): a real question mark
        repaired = ""
        consumed = 0
        if k > j:
            enc = _encode_run(text[j:k])
            if enc is not None:
                data, bounds = enc
                repaired, consumed, _ = _shift_decode(data, bounds)
        if repaired.startswith("（") and (
            len(repaired) < 3 or repaired[1] not in _LIST_NUMERALS or repaired[2] != "）"
        ):
            repaired = ""
        if not repaired or len(repaired) <= _plausible_prefix(text[j:k]):
            # the run reads better as it is: only the lost byte (and a pinyin remnant) goes
            if rem is not None:
                edits.append((i, j, ""))
                pos = j
            last_bad = max((n for n, ch in enumerate(text[j : min(k, j + 10)]) if not _plausible(ch)), default=-1)
            if 0 <= _plausible_prefix(text[j:k]) < 3 and last_bad >= 0:
                marks.append((i, j + last_bad + 1))  # "。ㄈ┙": left as written, yields nothing
            continue
        end = j + consumed
        # the unrepairable rest: the run up to the resync point, kept as written
        rest = text[j + _chars_used(text[j:k], repaired) : end]
        e2 = _EATEN_NUMBER.match(text, end)
        if e2:
            rest += text[end : e2.end()]
            end = e2.end()
        edits.append((i, end, repaired + rest))
        if rest:
            rest_marks.append((len(edits) - 1, len(rest)))
        pos = end
    new, emap = apply_edits(text, edits)
    out = [emap.inverse_span(a, b) for a, b in marks]
    out += [(emap.out_ends[k] - n, emap.out_ends[k]) for k, n in rest_marks]
    return new, emap, sorted(out)


def _chars_used(run: str, repaired: str) -> int:
    """How many characters of the mis-decoded ``run`` the repaired prefix covers (by bytes)."""
    if not repaired:
        return 0
    need = 1 + len(repaired.encode("gb18030"))  # the lost byte sits before the run
    got = 0
    for n, ch in enumerate(run):
        got += 2 if ch == "!" and n == 0 else len(_gb_bytes(ch) or b"?")
        if got >= need:
            return n + 1
    return len(run)
