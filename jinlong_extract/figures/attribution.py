"""Attribution: what a figure measures, of what, about whom, for which year, and whether it is a
running total.

Works on one normalised article text and the figures found in it. Every rule reads a table in
``jinlong_extract/data`` (``metrics.toml``: metric triggers and object stops; ``temporal.toml``:
years, periods, relative years, cumulative markers).

Scopes, from the gold annotations' conventions:

* **sentence** — up to 。！？ or a paragraph break (；and ， do not end it: "累计投入财政援助资金
  64.5亿元，实施协作项目3800余个；引进企业550家" is one running total);
* **clause** — up to ，；：、 — the metric trigger and the counted object are looked for here.

Year, in order: an explicit period (2019年至2021年 -> period, no year); an explicit year in the
sentence before the figure (2024年, "2024中国算力大会"), else after it; a relative year (今年,
去年) resolved from the article date; else a full date (2024年12月21日) earlier in the paragraph
or in the article's lead paragraph, unless the sentence speaks of a period or an as-of total
(累计, 截至, 以来 …); else null.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..data import load_table
from .finder import Figure, _alternation, _is_han
from .finder import rules as _finder_rules
from .numerals import NUMERAL_FIRST

_SENT_END = regex.compile(r"[。！？!?]+[”’」』]?|\n+")


def _words(words) -> re.Pattern:
    """A word list as one alternation, longest first. Plain words need nothing of the ``regex``
    module, and the standard ``re`` engine scans such alternations several times faster (the
    matches are the same: tests/test_attribution_fast.py checks them on the corpus)."""
    return re.compile(_alternation(words))


def _leading(words) -> regex.Pattern:
    """Any run of ``words`` at the start of a string (``.sub("", s)`` strips them all)."""
    return regex.compile(r"^(?:" + _alternation(words) + r")+")


@dataclass(slots=True)
class Attribution:
    metric: str | None = None
    object: str | None = None
    subject: str | None = None
    #: the subject mention's span in the article text (linked to its merged entity later)
    subject_span: tuple[int, int] | None = None
    year: int | None = None
    period_start: int | None = None
    period_end: int | None = None
    cumulative: bool = False
    sentence: str = ""
    year_source: str | None = None
    #: how much evidence the attribution had (used to copy attributes to bare repeats)
    evidence: int = 0


class _Rules:
    def __init__(self) -> None:
        met = load_table("metrics")
        tem = load_table("temporal")
        self.triggers: dict[str, tuple[str, frozenset[str]]] = {}
        #: trigger word -> the unit families of the quantities it names (absent: any)
        self.trigger_families: dict[str, frozenset[str]] = {}
        self.generic: set[str] = set()
        self.generic_metrics: set[str] = set()
        for t in met["trigger"]:
            for w in t["words"]:
                self.triggers.setdefault(w, (t["metric"], frozenset(t["kinds"])))
                if "families" in t:
                    self.trigger_families.setdefault(w, frozenset(t["families"]))
                if t.get("generic"):
                    self.generic.add(w)
                    self.generic_metrics.add(t["metric"])
        # (a trigger opening with 年 is no trigger right after digits, where 年 closes a year:
        # "2023年产量" is not 年产)
        annual = [w for w in self.triggers if w.startswith("年")]
        self.trigger_re = re.compile("(?<![0-9０-９])(?:" + _alternation(annual) + ")|"
                                     + _alternation(set(self.triggers) - set(annual)))
        cm = met["count_metric"]
        self.count_verbs = _words(cm["verbs"])
        self.people_units = set(cm["people_units"])
        self.people_suffix, self.count_suffix = cm["people_suffix"], cm["count_suffix"]
        self.measure_names = dict(sorted(cm["measure_names"].items(), key=lambda kv: -len(kv[0])))
        qm = met["quantity_metric"]
        self.quantity_verbs = _words(qm["verbs"])
        self.quantity_family = dict(qm["family"])
        rate = met["rate"]
        self.rate_re = regex.compile(r"(\p{Han}{1,%d}%s)[^，,；;。]{0,4}\Z" % (int(rate["max_chars"]), regex.escape(rate["suffix"])))
        # rate_re needs the suffix within the last few characters before the figure
        self.rate_suffix, self.rate_window = rate["suffix"], len(rate["suffix"]) + 4
        self.rate_conj_re = _leading(rate["leading_conjunctions"])
        self.rate_change_re = regex.compile(
            "(?:" + _alternation(rate["change_words"]) + ")(?!" + _alternation(rate["level_marks"]) + ")")
        changed = met["changed_measure"]
        self.change_refines = frozenset(changed["refines"])
        # the measure's name, the change word, at most 了 or the like before the figure
        self.changed_measure_re = regex.compile(
            r"(\p{Han}{0,%d}(?:%s))(%s)(?!%s)[^，,；;。0-9]{0,2}\Z" % (
                int(changed["max_chars"]) - 1, _alternation(changed["ends"]), _alternation(rate["change_words"]),
                _alternation(rate["level_marks"])))
        obj = met["object"]
        self.obj_max = int(obj["max_chars"])
        self.obj_stop_re = _words(obj["stops"])
        self.obj_stop_exceptions = tuple(obj["stop_exceptions"])
        self.obj_lead_words = frozenset(obj["lead_verbs"])
        self.obj_lead_inner_re = _words(obj["lead_verbs"])
        self.obj_date_marks = frozenset(obj["date_marks"])
        self.obj_copulas = tuple(obj["copulas"])
        self.obj_locatives = tuple(obj["locatives"])
        self.lead_verbs_re = regex.compile(
            r"^(?:(?:" + _alternation(obj["lead_verbs"]) + r")(?:" + _alternation(obj["aspect_particles"]) + r")?)+")
        self.trailing_links_re = regex.compile(
            r"(?:" + _alternation(obj["trailing_links"] + obj["trailing_verbs"]) + r")+\Z")
        self.obj_clause_ends = tuple(obj["clause_ends"])
        #: trailing verbs only, for an object read after the number ("200余家商超": 超 stays)
        self.trailing_verbs_re = regex.compile(r"(?:" + _alternation(obj["trailing_verbs"]) + r")+\Z")
        self.obj_place_stops = frozenset(obj["place_stops"])
        self.obj_list_ends = tuple(obj["list_ends"])
        self.obj_modifier_re = regex.compile(r"[^，,；;。、：:的\s“”]{0,%d}?的" % int(obj["modifier_max"]))
        self.person_units = frozenset(obj["person_units"])
        self.person_ends = tuple(obj["person_ends"])
        self.obj_frames = [tuple(pair) for pair in obj["frames"]]
        self.obj_not_objects = frozenset(obj["not_objects"])
        # nouns counted without a measure word (units.toml [count.bare_nouns]), as the figure
        # finder reads them: the object of a figure ending with one ("近30万消费者") or followed by
        # 的 and one ("超过40万的贫困人口")
        finder = _finder_rules()
        self.bare_nouns = tuple(sorted(finder.bare_nouns, key=len, reverse=True))
        self.bare_after_re = finder.bare_de_re
        # a count verb ending the object right before another number opens the next clause:
        # "15家三级甲等医疗机构选派30名" -> 三级甲等医疗机构
        self.verb_end_re = regex.compile(r"(?:" + _alternation(cm["verbs"]) + r")\Z")
        self.obj_frame_keep = tuple(obj["frame_keep"])
        # a count verb right before an opening quote starts a predicate, not part of the object:
        # "16个村实施“三个一百”" -> 村
        self.verb_quote_re = regex.compile(r"(?:" + _alternation(cm["verbs"]) + r")[“\"‘]")
        # the Han run that ends the clause before a count (its last 14 characters at most), with a
        # code glued before it (5G基站, AI企业; not a stray lower-case letter of mangled pinyin)
        self.han_tail_re = regex.compile(r"(?r)(?:[0-9]+[A-Za-z]+|[A-Z][A-Za-z0-9]*)?\p{Han}{1,14}\Z")
        # the object: Han characters (a leading Latin/digit code like "5G" allowed), quotes inside
        self.obj_run = regex.compile(r"[“”\"‘’]?(?:[A-Za-z0-9]+(?=\p{Han}))?\p{Han}+(?:[“”\"‘’]\p{Han}*)*")
        y = tem["year"]
        self.year_min, self.year_max = int(y["min"]), int(y["max"])
        # "2024年" (not 年代/年来/年前), or a year glued to a name: "2024中国算力大会"
        self.year_re = regex.compile(r"(?<![0-9.])((?:19|20)\d\d)(?:年(?![代来])|(?=[\p{Han}“]))")
        self.full_date_re = regex.compile(r"(?<![0-9])((?:19|20)\d\d)年\s*\d{1,2}月")
        self.relative = {k: int(v) for k, v in y["relative"].items()}
        parts = y["parts"]["words"]
        self.relative.update((w, 0) for w in parts)
        self.relative_re = re.compile(
            "(?<![年0-9])(?:" + _alternation(parts) + ")|" + _alternation(set(self.relative) - set(parts)))
        # every time expression holds one of these: the years (19xx, 20xx), 月, a relative year, 全年
        self.whole_year_re = _words(y["whole"]["words"])
        self.time_hint_re = re.compile("19|20|月|" + self.relative_re.pattern + "|" + self.whole_year_re.pattern)
        self.later_hint_re = re.compile("19|20|月")
        seps = _alternation(tem["period"]["separators"])
        self.period_re = regex.compile(
            r"(?<![0-9])((?:19|20)\d\d)年?\s*(?:" + seps + r")\s*((?:19|20)\d\d)年")
        # a start point: "2019年以来", "2019年至今", "自2010年…", "从2016年起", "2016年起，" (not
        # 2023年起草, nor the base of a change: "从2020年的3.2万元提高到…")
        self.since_re = regex.compile(
            r"(?|自((?:19|20)\d\d)年(?!的)|从((?:19|20)\d\d)年(?=起|开始)"
            r"|((?:19|20)\d\d)年(?:起(?=[，,、 ])|[^。；;，,]{0,40}?(?:以来|至今)))")
        cum = tem["cumulative"]
        self.cum_re = regex.compile(
            "|".join([_alternation(cum["markers"])] + [f"(?:{p})" for p in cum["patterns"]]))
        # the markers are scanned once per sentence (see _lookahead_words), if it holds any of
        # the words they need
        self.cum_lookahead = _lookahead_words(self.cum_re.pattern)
        self.cum_hint_re = required_words(self.cum_re.pattern)
        self.cum_neg_re = _words(cum["negative"])
        self.cum_event_totals = frozenset(cum["event_totals"])
        self.cum_event_scope_re = _words(cum["event_scope"])
        self.no_inherit_re = _words(tem["context"]["no_inherit"])
        self.target_before = set(tem["context"]["target_before"])
        self.target_not_after = set(tem["context"]["target_not_after"])
        self.comparison_before = tuple(tem["context"]["comparison_before"])
        self.anaphoric = frozenset(tem["year"]["anaphoric"]["words"])
        self.event_re = _words(tem["year"]["event"]["words"])
        self.respectively_re = _words(tem["respectively"]["words"])
        self.report_frame_re = _words(tem["context"]["report_frames"])
        self.year_of_figure = frozenset(tem["context"]["year_of_figure"])
        nm = met["named_measure"]
        self.named_measure_re = regex.compile(
            r"(\p{Han}{%d,%d}(?:%s))(?:%s)?[ \t]*\Z" % (
                int(nm["min_chars"]) - 1, int(nm["max_chars"]) - 1, _alternation(nm["suffixes"]),
                _alternation(nm["links"])))
        self.named_scope_re = _leading(nm["leading_scope"])
        # a change's name drops more: "平均亩产增长" is how 亩产 changed (a level keeps its 平均)
        self.change_scope_re = _leading(nm["leading_scope"] + met["changed_measure"]["drop"])
        self.named_min = int(nm["min_chars"])
        # a cheap necessary test for named_measure_re: the clause (trailing blanks dropped) ends
        # with a suffix, or a suffix and a link ("粮食产量达到")
        self.named_measure_ends = tuple(s + link for s in nm["suffixes"] for link in ["", *nm["links"]])
        self.future_re = _words(tem["context"]["future"])
        self.cum_after_re = regex.compile("|".join(f"(?:{p})" for p in cum["after_patterns"]))
        self.cum_after_hint_re = required_words(self.cum_after_re.pattern)
        # a month and day without a year ("8月28日") dates an event in the publication year
        # a sentence opening with a year adverbial ("2023年，…") dates the paragraph it opens
        self.opening_year_re = regex.compile(r"\s*[“\"]?((?:19|20)\d\d)年[，,]")
        self.month_day_re = regex.compile(r"(?<![0-9年])(\d{1,2})月\d{1,2}日")
        self.quote_open, self.quote_close = "“", "”"


@lru_cache(maxsize=1)
def rules() -> _Rules:
    return _Rules()


_NEWLINES = regex.compile(r"\n+")
#: a sentence ends after a run of these (and one closing quote), or after a run of line breaks
_TERMINATORS = "。！？!?"
_CLOSERS = "”’」』"
_LAST_BREAK = regex.compile(r"(?r)[。！？!?\n]")
_NEXT_BREAK = re.compile(r"[。！？!?\n]")
_NO_SENTENCE_START = frozenset(_TERMINATORS + _CLOSERS + "\n")
_CLAUSE_MARK = re.compile(r"[，,；;：:]")
_SEMICOLONS = "；;"
_LOOKAHEAD_WORD = re.compile(r"\(\?!\.\*([^\\()\[\]{}|.*+?^$]+)\)")


def _lookahead_words(pattern: str) -> tuple[str, ...] | None:
    """How far a pattern looks past its match. Scanning a whole sentence once and keeping the
    matches that end before a figure finds what scanning just up to the figure would find, unless
    the pattern looks ahead: for a "(?!.*WORD)" look-ahead, the WORDs (sharing the sentence scan
    is fine where no WORD runs across the figure start); for any other look-ahead or end anchor,
    None (scan up to each figure)."""
    words = tuple(_LOOKAHEAD_WORD.findall(pattern))
    rest = _LOOKAHEAD_WORD.sub("", pattern)
    if any(t in rest for t in ("(?=", "(?!", "\\Z", "\\z", "$", "\\b", "\\B", "\\m", "\\M", "\\G", "(?r)")):
        return None
    return words


def required_words(pattern: str) -> re.Pattern | None:
    """A plain-word pattern that finds something wherever ``pattern`` can match: a word every match
    of it contains (so a stretch without any of them holds no match), or None if the pattern's
    syntax gives no such short list. Worked out from the pattern's parse (stdlib ``re`` syntax;
    a pattern ``re`` cannot read gets None).

    >>> required_words(r"[0-9一二三]+年(?:多)?来|累计|已(?:累计)?(?:落实|投入)").pattern
    '已累计投入|已累计落实|已投入|已落实|年多来|年来|累计'
    """
    if "[[" in pattern or "[:" in pattern:  # sets that regex may read otherwise than re
        return None
    try:
        from re import _constants as sre, _parser

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # re's doubts about a pattern (nested sets, ...)
            tree = _parser.parse(pattern)
        if tree.state.flags & (re.IGNORECASE | re.VERBOSE):
            return None
        exact, required = _literals(list(tree), sre)
    except Exception:  # noqa: BLE001 - an unreadable pattern just gets no pre-test
        return None
    words = exact if exact is not None else required
    if not words or "" in words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))


_MAX_WORDS = 64


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more telling of two word sets (longer shortest word, then fewer words)."""
    if not a or "" in a:
        return b if b and "" not in b else None
    if not b or "" in b:
        return a
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _literals(items: list, sre) -> tuple[set[str] | None, set[str] | None]:
    """(every string a sequence of parsed items can match, if few; else None), (words one of which
    every match contains, or None)."""
    run: set[str] = {""}  # what the items since the last unknown one match, exactly
    best = None
    whole = True
    for op, av in items:
        exact, required = _item_literals(op, av, sre)
        if exact is not None and len(run) * len(exact) <= _MAX_WORDS:
            run = {a + b for a in run for b in exact}
            continue
        whole = False
        best = _better(_better(best, run), required)
        run = exact if exact is not None else {""}
    return (run if whole else None), _better(best, run)


def _item_literals(op, av, sre) -> tuple[set[str] | None, set[str] | None]:
    if op is sre.LITERAL:
        return {chr(av)}, None
    if op is sre.IN:
        chars = set()
        for iop, iav in av:
            if iop is sre.LITERAL:
                chars.add(chr(iav))
            elif iop is sre.RANGE and iav[1] - iav[0] < 16:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:  # NEGATE, CATEGORY, a wide range
                return None, None
        return (chars, None) if len(chars) <= _MAX_WORDS else (None, None)
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _literals(list(sub), sre) if not add_flags else (None, None)
    if op is sre.ATOMIC_GROUP:
        return _literals(list(av), sre)
    if op is sre.BRANCH:
        parts = [_literals(list(b), sre) for b in av[1]]
        if all(e is not None for e, _ in parts):
            union = set().union(*(e for e, _ in parts))
            if len(union) <= _MAX_WORDS:
                return union, None
        words: set[str] = set()
        for e, q in parts:
            w = _better(e, q)
            if w is None:
                return None, None
            words |= w
        return None, words
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        exact, required = _literals(list(sub), sre)
        if lo == 0:
            return ({""} | exact, None) if hi == 1 and exact is not None else (None, None)
        if lo == hi == 1:
            return exact, required
        return None, _better(exact, required)
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return {""}, None  # zero width
    return None, None  # any character, a back reference, ...


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a normalised text; paragraph breaks end sentences."""
    spans = []
    pos = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        spans.append((pos, end))  # a match is never empty: end > pos
        pos = end
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def sentence_at(text: str, pos: int) -> tuple[int, int]:
    """The span of the sentence of ``sentence_spans(text)`` that holds ``pos`` (the last one for a
    position past the end), found from the text around ``pos`` alone.

    Where sentences end is a local matter: after a run of 。！？!? (and one closing quote right
    after it), after a run of line breaks. So the sentence starts after the last such character
    before ``pos`` and ends where the run of the first one at or after ``pos`` ends.
    """
    n = len(text)
    if pos >= n or text[pos] in _NO_SENTENCE_START:  # a break at pos: let the full split decide
        spans = sentence_spans(text)
        if not spans:
            return 0, n
        i = max(0, bisect.bisect_right([s for s, _ in spans], pos) - 1)
        return spans[i]
    m = _LAST_BREAK.search(text, 0, pos)
    if m is None:
        s0 = 0
    else:
        # text[p + 1:pos] has no break; text[p + 1] may be the closing quote of a run of 。！？
        p = m.start()
        s0 = p + 2 if text[p] != "\n" and text[p + 1] in _CLOSERS else p + 1
    m = _NEXT_BREAK.search(text, pos)
    return s0, (_SENT_END.match(text, m.start()).end() if m else n)


def _sentence_start(text: str, lo: int, end: int) -> int:
    """The start of the sentence of ``sentence_spans(text)`` that ends at ``end``, where ``lo``
    (before ``end``) starts a sentence too and no line break stands in text[lo:end]."""
    q = end - 1  # back over the run of 。！？ that ends the sentence, and its closing quote
    if text[q] in _CLOSERS and q > lo and text[q - 1] in _TERMINATORS:
        q -= 1
    if text[q] not in _TERMINATORS:  # not a sentence end: let the full split decide
        return max([s for s, e in sentence_spans(text[lo:end]) if s < end - lo], default=0) + lo
    while q > lo and text[q - 1] in _TERMINATORS:
        q -= 1
    m = _LAST_BREAK.search(text, lo, q)
    if m is None:
        return lo
    p = m.start()
    return p + 2 if text[p + 1] in _CLOSERS else p + 1


class _Scan:
    """The matches of a pattern in one stretch of a sentence, scanned once for all its figures."""

    __slots__ = ("matches", "starts", "ends")

    def __init__(self, pattern, text: str, start: int, end: int) -> None:
        self.matches = list(pattern.finditer(text, start, end))
        self.starts = [m.start() for m in self.matches]
        self.ends = [m.end() for m in self.matches]

    def within(self, lo: int, hi: int) -> range | None:
        """Indices of the matches a scan of text[lo:hi] alone finds, or None if a match runs
        across lo or hi (scan text[lo:hi] then). ``hi`` must be at most the scanned end."""
        starts, ends = self.starts, self.ends
        i = bisect.bisect_left(starts, lo)
        if i and ends[i - 1] > lo:
            return None
        j = bisect.bisect_right(ends, hi, i)
        if j < len(starts) and starts[j] < hi:
            return None
        return range(i, j)


_UNSET = object()
_NO_SCAN = object()


class _Article:
    """What every figure of one article shares: its dates, and what dates each sentence from
    earlier in its paragraph (all computed on first use)."""

    __slots__ = ("text", "r", "fig_starts", "fig_ends", "pub_year", "_doc_year", "_lead_year",
                 "sources", "inherited")

    def __init__(self, text: str, figures: list[Figure], date: str | None, r: _Rules) -> None:
        self.text = text
        self.r = r
        self.fig_starts = [f.start for f in figures]
        self.fig_ends = [f.end for f in figures]
        self.pub_year = int(date[:4]) if date and date[:4].isdigit() else None
        self._doc_year = self.pub_year or _UNSET
        self._lead_year = _UNSET
        #: sentence start -> what dates it from earlier in its paragraph (see _paragraph_source)
        self.sources: dict[int, tuple[int, int, bool] | None] = {}
        #: start of a figure's time scope -> the year it inherits (see _inherited_year)
        self.inherited: dict[int, tuple[int, str] | None] = {}

    @property
    def doc_year(self) -> int | None:
        """The publication year, or without one the year the article speaks of (for 今年)."""
        if self._doc_year is _UNSET:
            self._doc_year = _inferred_year(self.text, self.r)
        return self._doc_year

    @property
    def lead_year(self) -> tuple[int, int] | None:
        if self._lead_year is _UNSET:
            self._lead_year = _lead_year(self.text, self.pub_year, self.r)
        return self._lead_year


def attribute(text: str, figures: list[Figure], *, date: str | None = None,
              mentions=None, subject_of=None) -> list[Attribution]:
    """Attribute every figure of one article text. ``date``: the article's ISO publication date.

    ``mentions``/``subject_of``: the article's entity mentions and the entity stage's subject
    picker (optional). A picker with a ``for_article(mentions, text)`` attribute is asked for a
    per-article index once: ``index(start, end, sentence_start, clause_marks)`` answers as
    ``subject_of(mentions, start, end, sentence_start, text=text)`` would (``clause_marks``: the
    positions of ，,；;：: in the sentence).
    """
    if not figures:
        return []
    r = rules()
    art = _Article(text, figures, date, r)
    pick = None
    if subject_of is not None and mentions:
        for_article = getattr(subject_of, "for_article", None)
        if for_article is not None:
            pick = for_article(mentions, text)
        else:
            def pick(start, end, s0, marks):
                return subject_of(mentions, start, end, s0, text=text)
    bisect_left = bisect.bisect_left
    generic_metrics = r.generic_metrics
    n_figs = len(figures)
    s0 = s1 = -1
    out = []
    for fi, f in enumerate(figures):
        fs, fe, kind = f.start, f.end, f.kind
        if not s0 <= fs < s1:  # a new sentence: what its figures share
            s0, s1 = sentence_at(text, fs)
            sentence = text[s0:s1].strip()
            marks = [m.start() for m in _CLAUSE_MARK.finditer(text, s0, s1)]
            n_marks = len(marks)
            semis = [p for p in marks if text[p] in _SEMICOLONS] if n_marks else marks
            # the sentence is scanned for running-total markers up to its last figure
            last_start = fs
            for g in range(fi + 1, n_figs):
                g_start = figures[g].start
                if not s0 <= g_start < s1:
                    break
                if g_start > last_start:
                    last_start = g_start
            cum_scan = None
            # what no figure of the sentence can have: a time expression before it, a year or
            # date after it, a running-total marker after it
            hint_before = r.time_hint_re.search(text, s0, last_start) is not None
            hint_after = r.later_hint_re.search(text, s0, s1) is not None
            cum_after = r.cum_after_hint_re is None or r.cum_after_hint_re.search(text, s0, s1) is not None
        a = Attribution(sentence=sentence)
        # the figure's clause: text[cb0:fs] before it, text[fe:ca1] after it; after it, the
        # sentence runs on to ae
        k = bisect_left(marks, fs) - 1
        cb0 = marks[k] + 1 if k >= 0 else s0
        ae = s1 if s1 > fe else fe
        k2 = bisect_left(marks, fe)
        ca1 = marks[k2] if k2 < n_marks else ae

        metric = _metric(kind, text, cb0, fs, fe, ca1, r,
                         r.quantity_family.get(f.unit) if kind == "quantity" else None)
        if metric is None or metric in generic_metrics:
            e = fs
            while e > cb0 and text[e - 1] in " \t":
                e -= 1
            if text.endswith(r.named_measure_ends, cb0, e):
                nm = r.named_measure_re.search(text, cb0, fs)
                # (a generic trigger itself keeps its label: "总金额达197亿元" is 签约金额)
                if nm and not r.count_verbs.match(nm.group(1)) and not (metric and nm.group(1) in r.generic):
                    metric = nm.group(1)  # "粮食产量达到1390.8亿斤"
                    ns = nm.start(1)
                    if ns > cb0 and _is_han(text[ns - 1]):  # cut by max_chars: start on a word
                        metric = _word_start(text, max(cb0, ns - 4), ns, nm.end(1))
                    bare = r.named_scope_re.sub("", metric)  # "该市财政支出总额" -> 财政支出总额
                    if len(bare) >= r.named_min:
                        metric = bare
        a.metric = metric
        if kind == "count":
            a.object = _object(text, f, cb0, r, figures[fi + 1] if fi + 1 < n_figs else None)
            a.metric = _count_metric(f, a, text, cb0, fs, fe, ca1, r)
        elif kind == "percent":
            if text.find(r.rate_suffix, max(cb0, fs - r.rate_window), fs) >= 0:
                rm = r.rate_re.search(text, cb0, fs)
                if rm:
                    # "以及贫困发生率超过10%", "全市森林覆盖率"
                    name = r.named_scope_re.sub("", r.rate_conj_re.sub("", rm.group(1)))
                    if len(name) <= len(r.rate_suffix):
                        name = rm.group(1)
                    change = r.rate_change_re.search(text, rm.end(1), fs)
                    a.metric = name + change.group() if change else name  # "一级果率增长57%"
            if a.metric is None or a.metric in r.change_refines:
                cm = r.changed_measure_re.search(text, cb0, fs)
                if cm is not None:
                    name = r.change_scope_re.sub("", cm.group(1))
                    if len(name) >= 2:
                        a.metric = name + cm.group(2)  # "平均亩产增长30%" -> 亩产增长
        elif kind == "quantity" and metric is None and f.unit in r.quantity_family:
            verbs = r.quantity_verbs.findall(text, cb0, fs)
            verb = verbs[-1] if verbs else None
            family = r.quantity_family[f.unit]
            a.metric = f"{verb}{family}" if verb and family in ("面积", "量") else family
        if a.metric:
            a.evidence += 1

        # time scope: the part of the sentence after its last ；, unless the sentence opens with a
        # year that scopes all of it ("2023年，…1400余万元；…14个项目签约，总额达1.92亿元")
        y0 = s0
        if semis:
            k = bisect_left(semis, fs) - 1
            if k >= 0 and not r.year_re.match(text[s0:fs].lstrip("“(（ ")) and not _clause_year(text, s0, semis[k], r):
                y0 = semis[k] + 1
        _year(a, art, fs, fe, y0, ca1, s0, hint_before, hint_after)
        # a running total is a stock (money, counts, quantities), never a rate; an explicit year
        # nearer than the marker makes it that year's figure ("一年来…2023年启动项目23个")
        if kind != "percent":
            if cum_scan is None:
                if r.cum_hint_re is not None and r.cum_hint_re.search(text, s0, last_start) is None:
                    cum_scan = _NO_SCAN  # no marker anywhere before a figure of the sentence
                elif r.cum_lookahead is None:
                    cum_scan = False  # scan up to each figure
                else:
                    cum_scan = _Scan(r.cum_re, text, s0, last_start)
            if cum_scan is _NO_SCAN or (
                    cum_scan and not cum_scan.matches and not _lookahead_across(text, r.cum_lookahead, s0, fs, last_start)):
                # no marker before the figure: one after it?
                if cum_after and fe < ae and r.cum_after_re.search(text, fe, ae) is not None:
                    a.cumulative = True
                    a.evidence += 2
            elif _cumulative(a, text, s0, fs, fe, ae, r, cum_scan, last_start):
                a.cumulative = True
                a.evidence += 2
        if pick is not None:
            m = pick(fs, fe, s0, marks)
            if m is not None:
                a.subject = m.text
                a.subject_span = (m.start, m.end)
        out.append(a)
    if r.respectively_re.search(text) is not None:
        _respectively(art, figures, out)
    return out


def _respectively(art: _Article, figures: list[Figure], out: list[Attribution]) -> None:
    """Years given in a list before 分别 go, in order, to the figures after it: as many figures of
    one kind and unit family as there are years (see temporal.toml [respectively])."""
    text, r = art.text, art.r
    for w in r.respectively_re.finditer(text):
        p = w.start()
        s0, s1 = sentence_at(text, p)
        pm = None
        for pm in r.period_re.finditer(text, s0, p):
            pass
        if pm is not None and 2 <= int(pm.group(2)) - int(pm.group(1)) + 1 <= 12:
            years = list(range(int(pm.group(1)), int(pm.group(2)) + 1))
        else:
            years = _written_years(art, s0, p)
        if len(years) < 2 or len(set(years)) != len(years):
            continue
        groups: dict[tuple, list[int]] = {}
        for i in range(bisect.bisect_right(art.fig_starts, p), len(figures)):
            f = figures[i]
            if f.start >= s1:
                break
            groups.setdefault((f.kind, r.quantity_family.get(f.unit, f.unit)), []).append(i)
        for idx in groups.values():
            if len(idx) == len(years):
                for i, y in zip(idx, years):
                    a = out[i]
                    a.year, a.year_source, a.period_start, a.period_end = y, "explicit", None, None


def _metric(kind: str, text: str, cb0: int, fs: int, fe: int, ca1: int, r: _Rules,
            family: str | None = None) -> str | None:
    """The metric a trigger in the clause names: the last specific trigger before the figure,
    else the last generic one, else the first trigger after it. ``family``: a quantity's unit
    family; triggers naming other families are passed over."""
    best = generic = None
    triggers = r.triggers
    fits = r.trigger_families
    for w in r.trigger_re.findall(text, cb0, fs):
        metric, kinds = triggers[w]
        if kind in kinds and (family is None or family in fits.get(w, (family,))):
            if w in r.generic:
                generic = metric
            else:
                best = metric
    if best or generic:
        return best or generic
    for w in r.trigger_re.findall(text, fe, ca1):
        metric, kinds = triggers[w]
        if kind in kinds and (family is None or family in fits.get(w, (family,))):
            return metric
    return None


def _count_metric(f: Figure, a: Attribution, text: str, cb0: int, fs: int, fe: int, ca1: int,
                  r: _Rules) -> str | None:
    """"签约项目数", "选派人数", "学生人数": the verb of the clause with the counted object; an
    object that names the measure ("企业数量", "参训人数") gives the metric and its stem the
    object (people are 人)."""
    obj = a.object
    if obj:
        for name, suffix in r.measure_names.items():
            if obj.endswith(name):
                stem = r.named_scope_re.sub("", obj[: -len(name)])  # (全市企业数量 -> 企业)
                a.object = "人" if f.unit in r.people_units else stem or None
                if stem:
                    return stem + suffix
                break  # "参会人数超过500人": the verb names it, as below
    verbs = r.count_verbs.findall(text, cb0, fs)
    if verbs:
        verb = verbs[-1]
    else:  # "112个项目现场签约", "14个项目签约": the verb after the object
        vm = r.count_verbs.search(text, fe, ca1)
        verb = vm.group() if vm else None
    people = f.unit in r.people_units or a.metric == "就业人数"
    if people:
        if verb:
            return f"{verb}{r.people_suffix}"
        if a.object and a.object != "人":
            return f"{a.object}{r.people_suffix}"
        return a.metric if a.metric and a.metric.endswith(r.people_suffix) else None
    if a.object:
        if verb and verb in a.object and not a.object.startswith(verb):
            verb = None  # "建成技能培训中心3个": 培训 is the object's own word
        obj = a.object[len(verb):] if verb and a.object.startswith(verb) else a.object
        return f"{verb or ''}{obj}{r.count_suffix}"
    return a.metric if a.metric and a.metric.endswith(r.count_suffix) else None


def _word_start(text: str, lo: int, cut: int, end: int) -> str:
    """text[?:end], a name that a length limit cut at ``cut`` in the middle of a Han run, started
    instead on the word boundary (by jieba, over text[lo:end]) nearest before ``cut``, or after
    it: "社会消费品零售总额" was 会消费品零售总额."""
    while lo < cut and not _is_han(text[lo]):
        lo += 1
    from ..entities._context import words

    at = lo
    for w in words(text[lo:end]):
        if at == cut or at + len(w) > cut:
            return text[at:end] if cut - at <= 2 or at == cut else text[at + len(w):end]
        at += len(w)
    return text[cut:end]


#: digits then a Latin letter: a code (5G, 4K) that starts a noun, not a number
_CODE_FIRST = regex.compile(r"[0-9]+[A-Za-z]")


def _stop(s: str, r: _Rules, pos: int = 0):
    """The first stop word in ``s`` from ``pos`` that does not start one of its exceptions
    (在校, 和田 …); a plain search, and a rare second one, cost less than a look-ahead tried at
    every character."""
    m = r.obj_stop_re.search(s, pos)
    while m is not None and s.startswith(r.obj_stop_exceptions, m.start()):
        m = r.obj_stop_re.search(s, m.start() + 1)
    return m


def _object(text: str, f: Figure, cb0: int, r: _Rules, nxt: Figure | None = None) -> str | None:
    """The counted object: after the figure ("112个项目"), else the end of the clause before it.
    ``nxt``: the next figure of the text, if any."""
    if f.text.endswith(r.bare_nouns):  # a noun counted without a measure word: 近30万消费者
        return next(n for n in r.bare_nouns if f.text.endswith(n))
    bare = r.bare_after_re.match(text, f.end)
    if bare is not None:  # "超过40万的贫困人口"
        return bare.group(1)
    at = f.end
    if nxt is not None and nxt.start == at:  # "1个超万亩(头)的种植养殖基地" -> after the 的
        mod = r.obj_modifier_re.match(text, nxt.end)
        if mod is not None:
            at = mod.end()
    m = r.obj_run.match(text, at)
    obj = None
    if m:
        run = m.group()
        if run.startswith(r.obj_copulas):  # "有5个是新能源项目" -> 新能源项目
            run = run[next(len(c) for c in r.obj_copulas if run.startswith(c)):]
        run = run[: r.obj_max + 4]
        stop = _stop(run, r)
        cand = run[: stop.start()] if stop else run
        vq = r.verb_quote_re.search(cand, 1)
        if vq is not None:
            cand = cand[: vq.start()]
        # "“村社合一”肉羊养殖合作社": the noun after the quoted modifier
        q = max(cand.rfind("”"), cand.rfind('"'), cand.rfind("’"))
        if q >= 0 and q + 1 < len(cand):
            cand = cand[q + 1:]
        cand = cand.strip("“”\"‘’")
        if cand.endswith(r.obj_clause_ends):
            return None  # "各族民众出行距离缩短了16公里": a clause follows, and names no object
        cand = r.trailing_verbs_re.sub("", cand) or cand  # "17家天津企业入驻" -> 天津企业
        if f.unit in r.person_units and not cand.endswith(r.person_ends):
            cand = ""  # "带动1.2万人就业": what the people do
        if (len(cand) > 2 and cand.endswith(r.obj_locatives) and cand == run
                and m.end() < len(text) and text[m.end()] in "，,"):
            cand = cand[:-1]  # "签约的8个项目中，有5个…": the set the next figure is taken from
        at_end = bool(cand) and text.startswith(cand, m.end() - len(cand))  # the run, to its end
        for opener, close in r.obj_frames:
            if (cand.endswith(close) and len(cand) > len(close) + 1 and not cand.endswith(r.obj_frame_keep)
                    and text.find(opener, cb0, f.start) >= 0):
                cand = cand[: -len(close)]  # 从…品牌中
                break
        if (at_end and text[m.end():m.end() + 1] in NUMERAL_FIRST
                and (v := r.verb_end_re.search(cand)) is not None and v.start() > 0):
            cand = cand[: v.start()]  # "医疗机构选派30名"
        if len(cand) >= 1 and (not cand[0].isdigit() or _CODE_FIRST.match(cand) is not None):
            obj = cand[: r.obj_max]  # (a numbered code like 5G starts a name: 2429台5G信号屏蔽仪)
    if not obj:
        # reverse order: "签约项目320个", "引进企业550家"
        te = f.start
        while te > cb0 and text[te - 1] in " \t":  # "实施协作项目 215 个": spaces around the number
            te -= 1
        tail = r.han_tail_re.search(text, cb0, te)
        if tail:
            cand = tail.group()
            if cand[0] in r.obj_date_marks and tail.start() > 0 and text[tail.start() - 1].isdigit():
                cand = cand[1:]  # "2024届高校毕业生3000人"
            elif text[tail.start() - 1:tail.start()] == "、":  # the last item of a list, then its head
                ends = [cand.rfind(w) + len(w) for w in r.obj_list_ends if w in cand]
                if ends and max(ends) < len(cand):  # "CT、核磁共振等大型医疗设备" -> 大型医疗设备
                    cand = cand[max(ends):]
            cand = r.lead_verbs_re.sub("", cand)
            c0 = tail.end() - len(cand)  # where cand starts in the text
            done = r.trailing_verbs_re.search(cand) is not None  # ends with what the counted do
            cand = r.trailing_links_re.sub("", cand)
            last = before = None
            at = 0
            while (m2 := _stop(cand, r, at)) is not None:
                before, last, at = last, m2, m2.end()
            if last is not None:
                if done and last.group() in r.obj_place_stops:  # "劳动力到山东就业": who goes, not where
                    if before is not None:
                        cand = cand[before.end():last.start()]
                    elif c0 > cb0 and _is_han(text[c0 - 1]):  # the tail's length limit cut a word
                        cand = _word_start(text, max(cb0, c0 - 4), c0, c0 + last.start())
                    else:
                        cand = cand[:last.start()]
                else:
                    cand = cand[last.end():]
            cand = r.lead_verbs_re.sub("", cand)
            cand = r.named_scope_re.sub("", cand) or cand  # "全市在校学生" -> 在校学生
            if len(cand) >= 3:
                from ..entities._context import head_word, words

                if r.obj_lead_inner_re.search(cand) is not None:  # (jieba only if it can matter)
                    tokens = words(cand)
                    for i in range(len(tokens) - 2, -1, -1):
                        if tokens[i] in r.obj_lead_words:  # "该县引进天津企业" -> 天津企业
                            cand = "".join(tokens[i + 1:])
                            break
                if len(cand) > r.obj_max:  # "…同仁县加吾乡小学教学用电脑20台": the phrase's head word
                    cand = head_word(cand)
            if 1 <= len(cand) <= r.obj_max and cand not in r.obj_not_objects:
                obj = cand
    if f.unit in r.person_units and not obj:
        obj = "人"
    return obj or None


def _in_speech(text: str, pos: int, r: _Rules) -> bool:
    """True inside direct speech: an open “ before the figure in its paragraph, not yet closed."""
    p0 = text.rfind("\n", 0, pos) + 1
    o = text.rfind(r.quote_open, p0, pos)
    return o >= 0 and (pos - o) > 8 and text.find(r.quote_close, o, pos) < 0


def _year(a: Attribution, art: _Article, fs: int, fe: int, y0: int, ca1: int, s0: int,
          hint_before: bool = True, hint_after: bool = True) -> None:
    """The figure's year or period. Its time scope is text[y0:fs] before it (its sentence from
    the last ；) and its clause text[fe:ca1] after it. ``hint_before``, ``hint_after``: False if
    the sentence has no time expression before, no year or date after any of its figures."""
    text, r = art.text, art.r
    if hint_before and r.time_hint_re.search(text, y0, fs) is not None and _year_before(a, art, fs, y0):
        return
    if hint_after and r.later_hint_re.search(text, fe, ca1) is not None:
        later = _first_year_after(art, fe, ca1)
        if later is not None:
            a.year, a.year_source = later, "explicit"
            a.evidence += 1
            return
        # a date later in the same sentence ("22家企业、24亿元....8月28日，…签约仪式在和田举行")
        dy = _date_year(text, fe, ca1, art.pub_year, r)
        if dy:
            a.year, a.year_source = dy, "context"
            return
    # else the year of the paragraph, unless the figure's scope speaks of a period, a plan, a
    # rate, or it stands in direct speech
    inherited = art.inherited.get(y0, _UNSET)
    if inherited is _UNSET:
        inherited = art.inherited[y0] = _inherited_year(art, s0, y0)
    if inherited is None:
        if not art.pub_year or r.event_re.search(text, y0, ca1) is None:
            return
        inherited = art.pub_year, "context"  # "本次招商大会共签约项目31个"
    if not (r.no_inherit_re.search(text, y0, fs) or r.no_inherit_re.search(text, fe, ca1) or _in_speech(text, fs, r)):
        a.year, a.year_source = inherited


def _year_before(a: Attribution, art: _Article, fs: int, y0: int) -> bool:
    """The time expression nearest before the figure in text[y0:fs] dates it: a period, a start
    point with 以来, an explicit year, a relative year, a month-day date. True if one decides
    (even to leave the year unknown)."""
    text, r = art.text, art.r
    has_year_char = text.find("年", y0, fs) >= 0
    pm = None
    if has_year_char:
        for pm in r.period_re.finditer(text, y0, fs):
            pass
    if pm:
        a.period_start, a.period_end = int(pm.group(1)), int(pm.group(2))
        a.evidence += 1
        return True
    since = None
    if has_year_char:
        for since in r.since_re.finditer(text, y0, fs):
            pass
    explicit = None  # the last explicit year before the figure (not inside a figure, not a target,
    # not a comparison's base, not bound to another figure)
    named = None  # the last year written before the figure, target or not (what 当年 refers to)
    if text.find("19", y0, fs) >= 0 or text.find("20", y0, fs) >= 0:
        for m in r.year_re.finditer(text, y0, fs):
            p = m.start()
            if _inside(art, p):
                continue
            bound = _bound_figure(art, m.end(), fs)
            if bound != fs and text.endswith(r.comparison_before, y0, p):
                continue  # ("较2021年的18万元": the year of that figure all the same)
            named = m
            if bound == fs or (bound is None and not _is_target(text, y0, p, r)):
                explicit = m
    if since is not None and (explicit is None or explicit.start() <= since.start(1)):
        # "1994年…以来，筹集…": a start point, not the figure's year
        a.period_start = int(since.group(1))
        a.evidence += 1
        return True
    rel = None
    for m in r.relative_re.finditer(text, y0, fs):
        if not text.endswith(r.comparison_before, y0, m.start()):
            rel = m
    md = None
    pub_year = art.pub_year
    if pub_year and text.find("月", y0, fs) >= 0:
        for md in r.month_day_re.finditer(text, y0, fs):
            pass
    # the nearest time expression before the figure wins: explicit year, relative year, M月D日
    cands = []
    if explicit is not None:
        cands.append((explicit.start(), int(explicit.group(1)), "explicit", explicit.end()))
    if rel is not None:
        if named is not None and named.start() < rel.start() and rel.group() in r.anaphoric:
            cands.append((rel.start(), int(named.group(1)), "explicit", rel.end()))  # 2019年…当年
        elif art.doc_year:
            cands.append((rel.start(), art.doc_year + r.relative[rel.group()], "relative", rel.end()))
    if md is not None and int(md.group(1)) <= 12:
        cands.append((md.start(), pub_year, "relative", md.end()))
    wm = None
    for wm in r.whole_year_re.finditer(text, y0, fs):
        pass
    if wm is not None and not (rel is not None and rel.end() == wm.start()):  # (not 今年全年, 去年全年)
        named_before = _written_years(art, 0, wm.start())
        if named_before:  # "2023年…全年主要数据…。全年引导…项目213个": the last one
            cands.append((wm.start(), named_before[-1], "context", wm.end()))
    if not cands:
        return False
    pos, year, source, end = max(cands)
    if source == "explicit" and r.future_re.search(text, end, fs):
        return True  # "2011年4月开工建设，近期投产，建成后将形成…": not that year's figure
    a.year, a.year_source = year, source
    a.evidence += 1
    return True


def _first_year_after(art: _Article, fe: int, ca1: int) -> int | None:
    """The first explicit year in the clause after the figure, text[fe:ca1], not inside a figure."""
    text, r = art.text, art.r
    if text.find("19", fe, ca1) < 0 and text.find("20", fe, ca1) < 0:
        return None
    if fe and text[fe - 1] in "0123456789.":
        # the clause as a string of its own: the year pattern's look-behind must not see the figure
        for m in r.year_re.finditer(text[fe:ca1]):
            if not _inside(art, fe + m.start()):
                return int(m.group(1))
        return None
    for m in r.year_re.finditer(text, fe, ca1):
        if not _inside(art, m.start()):
            return int(m.group(1))
    return None


def _inherited_year(art: _Article, s0: int, y0: int) -> tuple[int, str] | None:
    """The year the time scope from ``y0`` in the sentence at ``s0`` takes from its paragraph: a
    full date or a relative year in an earlier sentence ("…于2024年12月21日至22日举行。全省共设
    13个考区"; "今年以来，…促成了一批项目。现场签约项目18个"), else the lead paragraph's date."""
    src = art.sources.get(s0, _UNSET)
    if src is _UNSET:
        src = art.sources[s0] = _paragraph_source(art, s0)
    if src is not None:
        ps, year, checked = src
        # not across a period: "2016年11月，…签署协议…四年间，…。…5个县市已全部脱贫"
        if checked and art.r.no_inherit_re.search(art.text, ps, y0):
            return None
        return year, "context"
    lead_year = art.lead_year
    if lead_year is not None and y0 >= lead_year[1]:
        return lead_year[0], "context"
    return None


def _paragraph_source(art: _Article, s0: int) -> tuple[int, int, bool] | None:
    """The nearest earlier sentence of the paragraph that dates the sentence at ``s0``: (its
    start, the year, whether a period word between it and the figure cancels it), or None."""
    text, r, pub_year = art.text, art.r, art.pub_year
    p_start = text.rfind("\n", 0, s0) + 1  # s0 never is inside a run of line breaks
    if r.time_hint_re.search(text, p_start, s0) is None:  # no date, no year before it
        return None
    pe = s0
    while pe > p_start:  # the paragraph's sentences before this one, nearest first
        ps = _sentence_start(text, p_start, pe)
        if r.time_hint_re.search(text, ps, pe) is None:  # no date, no year in it
            pe = ps
            continue
        dy = _date_year(text, ps, pe, pub_year, r)
        if dy:
            return ps, dy, True
        rm = None
        for rm in r.relative_re.finditer(text, ps, pe):
            pass
        if rm:
            doc_year = art.doc_year
            if doc_year:
                return ps, doc_year + r.relative[rm.group()], False
        om = r.opening_year_re.match(text, ps, pe)
        if om:  # "2023年，全市地区生产总值…。全年接待游客1.2亿人次": the year scopes its paragraph
            return ps, int(om.group(1)), True
        pe = ps
    return None


def _is_target(text: str, lo: int, pos: int, r: _Rules) -> bool:
    """A year after 到/至 is a target ("到2020年"), but not after 截至 ("截至2023年底").
    Only text[lo:pos] is looked at."""
    c1 = text[pos - 1] if pos - 1 >= lo else ""
    c2 = text[pos - 2] if pos - 2 >= lo else ""
    return c1 in r.target_before and c2 not in r.target_not_after


def _clause_year(text: str, s0: int, semi: int, r: _Rules) -> bool:
    """Whether the only year before the first ；of the sentence opens a clause after a reporting
    frame ("记者…获悉，2023年园区实现…；新入驻企业57家"): then it scopes the clauses after ；, as
    a year opening the sentence does."""
    years = list(r.year_re.finditer(text, s0, semi))
    if len(years) != 1:
        return False
    p = years[0].start()
    return p > s0 and text[p - 1] in "，," and r.report_frame_re.search(text, s0, p) is not None


def _bound_figure(art: _Article, end: int, fs: int) -> int | None:
    """The start of the figure that the year ending at ``end`` is bound to by a word of
    ``year_of_figure`` ("2023年的5.6亿元"), if one starts right after it, at or before ``fs``."""
    text = art.text
    for word in art.r.year_of_figure:
        if text.startswith(word, end):
            at = end + len(word)
            if at <= fs:
                i = bisect.bisect_left(art.fig_starts, at)
                if i < len(art.fig_starts) and art.fig_starts[i] == at:
                    return at
    return None


def _written_years(art: _Article, lo: int, hi: int) -> list[int]:
    """The explicit years written in text[lo:hi], in order (not those inside a figure)."""
    return [int(m.group(1)) for m in art.r.year_re.finditer(art.text, lo, hi) if not _inside(art, m.start())]


def _inside(art: _Article, pos: int) -> bool:
    """Whether pos is inside the figure that starts last at or before it."""
    i = bisect.bisect_right(art.fig_starts, pos) - 1
    return i >= 0 and pos < art.fig_ends[i]


def _lead_year(text: str, pub_year: int | None, r: _Rules) -> tuple[int, int] | None:
    """The year of the event date in the article's first body paragraph (its lead), if any:
    the first of its first 8 paragraphs that is not a headline, byline or dateline."""
    p = 0
    for _ in range(8):
        nl = _NEWLINES.search(text, p)
        end = nl.end() if nl else len(text)
        if end - p >= 40:
            y = _date_year(text, p, end, pub_year, r)
            return (y, end) if y else None
        if nl is None:
            return None
        p = end
    return None


def _date_year(text: str, start: int, end: int, pub_year: int | None, r: _Rules) -> int | None:
    """The year of the last date in text[start:end]: a full date (2024年12月21日), or in a dated
    article a month-day date (8月28日), which falls in the publication year."""
    if text.find("月", start, end) < 0:
        return None
    found = None
    for m in r.full_date_re.finditer(text, start, end):
        found = (m.start(), int(m.group(1)))
    if pub_year:
        for m in r.month_day_re.finditer(text, start, end):
            if found is None or m.start() > found[0]:
                found = (m.start(), pub_year)
    return found[1] if found else None


def _inferred_year(text: str, r: _Rules) -> int | None:
    """Without a publication date, 今年 is the latest year the article speaks of in the past tense
    ("2023年以来", "2023年，…"), never a target year ("到2025年")."""
    best = None
    for m in r.year_re.finditer(text):
        y = int(m.group(1))
        pre = text[max(0, m.start() - 2):m.start()]
        if "到" in pre or "至" in pre:
            continue
        if r.year_min <= y <= min(r.year_max, _dt.date.today().year) and (best is None or y > best):
            best = y
    return best


def _lookahead_across(text: str, words: tuple[str, ...], s0: int, fs: int, scan_end: int) -> bool:
    """Whether one of a pattern's look-ahead words stands across fs in text[s0:scan_end] (then a
    scan up to scan_end may have found other matches before fs than a scan up to fs)."""
    for w in words:
        if text.find(w, max(s0, fs - len(w) + 1), scan_end) >= 0:
            return True
    return False


def _cumulative(a: Attribution, text: str, s0: int, fs: int, fe: int, ae: int, r: _Rules,
                scan: _Scan | bool = False, scan_end: int = 0) -> bool:
    """A running-total marker in the sentence before the figure (text[s0:fs]), not negated
    around it, else one of the after-markers in the rest of the sentence (text[fe:ae]).
    ``scan``: the sentence's markers up to ``scan_end`` (at least ``fs``), if scanned."""
    found = None
    if scan:
        found = scan.within(s0, fs)
        if found is not None and _lookahead_across(text, r.cum_lookahead, s0, fs, scan_end):
            found = None
    markers = [scan.matches[i] for i in found] if found is not None else r.cum_re.finditer(text, s0, fs)
    last = None
    for m in markers:
        ms, me = m.span()
        if r.cum_neg_re.search(text, ms - 4 if ms - 4 > s0 else s0, me + 2 if me + 2 < fs else fs):
            continue
        if m.group() in r.cum_event_totals and r.cum_event_scope_re.search(text, s0, ms):
            continue  # "此次签约项目总计23个": the event's total
        last = m
    if last is not None:
        if a.year_source == "explicit":
            year = None
            for year in r.year_re.finditer(text, s0, fs):
                pass
            if year is not None and year.start() > last.end():
                return False
        return True
    return fe < ae and r.cum_after_re.search(text, fe, ae) is not None
