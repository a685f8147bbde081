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
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..data import load_table
from .finder import Figure, _alternation

_SENT_END = regex.compile(r"[。！？!?]+[”’」』]?|\n+")
_CLAUSE_END = "，,；;：:"


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
        self.generic: set[str] = set()
        self.generic_metrics: set[str] = set()
        for t in met["trigger"]:
            for w in t["words"]:
                self.triggers.setdefault(w, (t["metric"], frozenset(t["kinds"])))
                if t.get("generic"):
                    self.generic.add(w)
                    self.generic_metrics.add(t["metric"])
        self.trigger_re = regex.compile(_alternation(self.triggers))
        cm = met["count_metric"]
        self.count_verbs = regex.compile(_alternation(cm["verbs"]))
        self.people_units = set(cm["people_units"])
        self.people_suffix, self.count_suffix = cm["people_suffix"], cm["count_suffix"]
        qm = met["quantity_metric"]
        self.quantity_verbs = regex.compile(_alternation(qm["verbs"]))
        self.quantity_family = dict(qm["family"])
        rate = met["rate"]
        self.rate_re = regex.compile(r"(\p{Han}{1,%d}%s)[^，,；;。]{0,4}\Z" % (int(rate["max_chars"]), regex.escape(rate["suffix"])))
        obj = met["object"]
        self.obj_max = int(obj["max_chars"])
        self.obj_stop_re = regex.compile(_alternation(obj["stops"]))
        self.lead_verbs_re = regex.compile(r"^(?:" + _alternation(obj["lead_verbs"]) + r")+")
        # the object: Han characters (a leading Latin/digit code like "5G" allowed), quotes inside
        self.obj_run = regex.compile(r"[“”\"‘’]?(?:[A-Za-z0-9]+(?=\p{Han}))?\p{Han}+(?:[“”\"‘’]\p{Han}*)*")
        y = tem["year"]
        self.year_min, self.year_max = int(y["min"]), int(y["max"])
        # "2024年" (not 年代/年来/年前), or a year glued to a name: "2024中国算力大会"
        self.year_re = regex.compile(r"(?<![0-9.])((?:19|20)\d\d)(?:年(?![代来])|(?=[\p{Han}“]))")
        self.full_date_re = regex.compile(r"(?<![0-9])((?:19|20)\d\d)年\s*\d{1,2}月")
        self.relative = {k: int(v) for k, v in y["relative"].items()}
        self.relative_re = regex.compile(_alternation(self.relative))
        seps = _alternation(tem["period"]["separators"])
        self.period_re = regex.compile(
            r"(?<![0-9])((?:19|20)\d\d)年?\s*(?:" + seps + r")\s*((?:19|20)\d\d)年")
        self.since_re = regex.compile(r"((?:19|20)\d\d)年[^。；;，,]{0,40}?以来")
        cum = tem["cumulative"]
        self.cum_re = regex.compile(
            "|".join([_alternation(cum["markers"])] + [f"(?:{p})" for p in cum["patterns"]]))
        self.cum_neg_re = regex.compile(_alternation(cum["negative"]))
        self.no_inherit_re = regex.compile(_alternation(tem["context"]["no_inherit"]))
        self.target_before = set(tem["context"]["target_before"])
        self.target_not_after = set(tem["context"]["target_not_after"])
        nm = met["named_measure"]
        self.named_measure_re = regex.compile(
            r"(\p{Han}{%d,%d}(?:%s))(?:%s)?[ \t]*\Z" % (
                int(nm["min_chars"]) - 1, int(nm["max_chars"]) - 1, _alternation(nm["suffixes"]),
                _alternation(nm["links"])))
        self.future_re = regex.compile(_alternation(tem["context"]["future"]))
        self.cum_after_re = regex.compile("|".join(f"(?:{p})" for p in cum["after_patterns"]))
        # a month and day without a year ("8月28日") dates an event in the publication year
        # a sentence opening with a year adverbial ("2023年，…") dates the paragraph it opens
        self.opening_year_re = regex.compile(r"\s*[“\"]?((?:19|20)\d\d)年[，,]")
        self.month_day_re = regex.compile(r"(?<![0-9年])(\d{1,2})月\d{1,2}日")
        self.quote_open, self.quote_close = "“", "”"


@lru_cache(maxsize=1)
def rules() -> _Rules:
    return _Rules()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a normalised text; paragraph breaks end sentences."""
    spans = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if m.end() > pos:
            spans.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def paragraph_starts(text: str) -> list[int]:
    starts = [0]
    for m in regex.finditer(r"\n+", text):
        starts.append(m.end())
    return starts


def attribute(text: str, figures: list[Figure], *, date: str | None = None,
              mentions=None, subject_of=None) -> list[Attribution]:
    """Attribute every figure of one article text. ``date``: the article's ISO publication date.

    ``mentions``/``subject_of``: the article's entity mentions and the entity stage's subject
    picker (optional).
    """
    r = rules()
    sents = sentence_spans(text)
    sent_starts = [s for s, _ in sents]
    paras = paragraph_starts(text)
    pub_year = int(date[:4]) if date and date[:4].isdigit() else None
    doc_year = pub_year or _inferred_year(text, r)
    lead_year = _lead_year(text, paras, pub_year, r)
    fig_spans = [(f.start, f.end) for f in figures]
    sentences: dict[int, str] = {}  # one string per sentence, shared by its figures
    out = []
    for f in figures:
        i = max(0, bisect.bisect_right(sent_starts, f.start) - 1)
        s0, s1 = sents[i] if sents else (0, len(text))
        if i not in sentences:
            sentences[i] = text[s0:s1].strip()
        a = Attribution(sentence=sentences[i])
        before = text[s0:f.start]
        after = text[f.end:s1]
        c0 = max((before.rfind(c) for c in _CLAUSE_END), default=-1) + 1
        clause_before = before[c0:]
        ends = [k for k in (after.find(c) for c in _CLAUSE_END) if k >= 0]
        clause_after = after[:min(ends)] if ends else after

        a.metric = _metric(f, clause_before, clause_after, r)
        if a.metric is None or a.metric in r.generic_metrics:
            nm = r.named_measure_re.search(clause_before)
            if nm and not r.count_verbs.match(nm.group(1)):
                a.metric = nm.group(1)  # "粮食产量达到1390.8亿斤"
        if f.kind == "count":
            a.object = _object(text, f, clause_before, r)
            a.metric = _count_metric(f, a, clause_before, clause_after, r)
        elif f.kind == "percent":
            rm = r.rate_re.search(clause_before)
            if rm:
                a.metric = rm.group(1)  # "贫困发生率超过10%"
        elif f.kind == "quantity" and a.metric is None and f.unit in r.quantity_family:
            verb = None
            for vm in r.quantity_verbs.finditer(clause_before):
                verb = vm.group(0)
            family = r.quantity_family[f.unit]
            a.metric = f"{verb}{family}" if verb and family in ("面积", "量") else family
        if a.metric:
            a.evidence += 1

        # time scope: the part of the sentence after its last ；, unless the sentence opens with a
        # year that scopes all of it ("2023年，…1400余万元；…14个项目签约，总额达1.92亿元")
        semi = max(before.rfind("；"), before.rfind(";")) + 1
        if semi and r.year_re.match(before.lstrip("“(（ ")):
            semi = 0
        in_speech = _in_speech(text, s0, f.start, r)
        _year(a, f, text, before[semi:], after, s0 + semi, i, sents, paras, fig_spans, pub_year, doc_year,
              lead_year, r, inherit=not in_speech)
        # a running total is a stock (money, counts, quantities), never a rate; an explicit year
        # nearer than the marker makes it that year's figure ("一年来…2023年启动项目23个")
        a.cumulative = f.kind != "percent" and _cumulative(before, after, a, r)
        if a.cumulative:
            a.evidence += 2
        if subject_of is not None and mentions:
            m = subject_of(mentions, f.start, f.end, s0, text=text)
            if m is not None:
                a.subject = m.text
                a.subject_span = (m.start, m.end)
        out.append(a)
    return out


def _metric(f: Figure, before: str, after: str, r: _Rules) -> str | None:
    best = generic = None
    for m in r.trigger_re.finditer(before):
        metric, kinds = r.triggers[m.group(0)]
        if f.kind in kinds:
            if m.group(0) in r.generic:
                generic = metric
            else:
                best = metric
    if best or generic:
        return best or generic
    for m in r.trigger_re.finditer(after):
        metric, kinds = r.triggers[m.group(0)]
        if f.kind in kinds:
            return metric
    return None


def _count_metric(f: Figure, a: Attribution, clause_before: str, clause_after: str, r: _Rules) -> str | None:
    """"签约项目数", "选派人数", "学生人数": the verb of the clause with the counted object."""
    verb = None
    for vm in r.count_verbs.finditer(clause_before):
        verb = vm.group(0)
    if verb is None:  # "112个项目现场签约", "14个项目签约": the verb after the object
        vm = r.count_verbs.search(clause_after)
        verb = vm.group(0) if vm else None
    people = f.unit in r.people_units or a.metric == "就业人数"
    if people:
        if verb:
            return f"{verb}{r.people_suffix}"
        if a.object and a.object != "人":
            return f"{a.object}{r.people_suffix}"
        return a.metric if a.metric and a.metric.endswith(r.people_suffix) else None
    if a.object:
        obj = a.object[len(verb):] if verb and a.object.startswith(verb) else a.object
        return f"{verb or ''}{obj}{r.count_suffix}"
    return a.metric if a.metric and a.metric.endswith(r.count_suffix) else None


def _object(text: str, f: Figure, clause_before: str, r: _Rules) -> str | None:
    if f.unit and f.text.endswith(f.unit) and f.unit not in ("个", "家", "名", "人", "项", "位", "户", "座",
                                                                 "种", "条", "台", "辆", "件", "场", "场次",
                                                                 "人次", "所", "批", "栋", "套", "期", "届"):
        # bare-noun counts carry their object in the text: 近30万消费者
        noun = f.text[len(f.text) - len(f.unit):]
        return noun if not noun.isascii() else None
    m = r.obj_run.match(text, f.end)
    obj = None
    if m:
        run = m.group(0)[: r.obj_max + 4]
        stop = r.obj_stop_re.search(run)
        cand = run[: stop.start()] if stop else run
        tail = regex.split(r"[”\"’]", cand)[-1]
        if len(tail) >= 1 and tail != cand:  # "“村社合一”肉羊养殖合作社": the noun after the quoted modifier
            cand = tail
        cand = cand.strip("“”\"‘’")
        if len(cand) >= 1 and not cand[0].isdigit():
            obj = cand[: r.obj_max]
    if not obj:
        # reverse order: "签约项目320个", "引进企业550家"
        tail = regex.search(r"[\p{Han}]{1,14}\Z", clause_before)
        if tail:
            cand = r.lead_verbs_re.sub("", tail.group(0))
            last = None
            for last in r.obj_stop_re.finditer(cand):
                pass
            if last is not None:
                cand = cand[last.end():]
            cand = r.lead_verbs_re.sub("", cand)
            if 1 <= len(cand) <= r.obj_max:
                obj = cand
    if f.unit in ("人", "人次") and not obj:
        obj = "人"
    return obj or None


def _in_speech(text: str, s0: int, pos: int, r: _Rules) -> bool:
    """True inside direct speech: an open “ before the figure in its paragraph, not yet closed."""
    p0 = text.rfind("\n", 0, pos) + 1
    seg = text[p0:pos]
    o = seg.rfind(r.quote_open)
    return o >= 0 and seg.find(r.quote_close, o) < 0 and (pos - p0 - o) > 8


def _year(a: Attribution, f: Figure, text: str, before: str, after: str, s0: int, si: int, sents, paras,
          fig_spans, pub_year, doc_year, lead_year, r: _Rules, inherit: bool = True) -> None:
    has_year_char = "年" in before
    pm = None
    if has_year_char:
        for pm in r.period_re.finditer(before):
            pass
    if pm:
        a.period_start, a.period_end = int(pm.group(1)), int(pm.group(2))
        a.evidence += 1
        return
    since = None
    if has_year_char and "以来" in before:
        for since in r.since_re.finditer(before):
            pass
    explicit = [m for m in r.year_re.finditer(before)
                if not _inside(fig_spans, s0 + m.start()) and not _is_target(before, m.start(), r)
                ] if ("19" in before or "20" in before) else []
    if since is not None and (not explicit or explicit[-1].start() <= since.start()):
        # "1994年…以来，筹集…": a start point, not the figure's year
        a.period_start = int(since.group(1))
        a.evidence += 1
        return
    rel = None
    for rel in r.relative_re.finditer(before):
        pass
    md = None
    if pub_year and "月" in before:
        for md in r.month_day_re.finditer(before):
            pass
    # the nearest time expression before the figure wins: explicit year, relative year, M月D日
    cands = []
    if explicit:
        cands.append((explicit[-1].start(), int(explicit[-1].group(1)), "explicit", explicit[-1].end()))
    if rel is not None and doc_year:
        cands.append((rel.start(), doc_year + r.relative[rel.group(0)], "relative", rel.end()))
    if md is not None and int(md.group(1)) <= 12:
        cands.append((md.start(), pub_year, "relative", md.end()))
    if cands:
        pos, year, source, end = max(cands)
        if source == "explicit" and r.future_re.search(before, end):
            return  # "2011年4月开工建设，近期投产，建成后将形成…": not that year's figure
        a.year, a.year_source = year, source
        a.evidence += 1
        return
    clause_after = after[:min([k for k in (after.find(c) for c in _CLAUSE_END) if k >= 0], default=len(after))]
    later = [m for m in r.year_re.finditer(clause_after) if not _inside(fig_spans, f.end + m.start())]
    if later:
        a.year, a.year_source = int(later[0].group(1)), "explicit"
        a.evidence += 1
        return
    # a date later in the same sentence ("22家企业、24亿元....8月28日，…签约仪式在和田举行")
    dy = _date_year(text, f.end, f.end + len(clause_after), pub_year, r)
    if dy:
        a.year, a.year_source = dy, "context"
        return
    if not inherit or r.no_inherit_re.search(before) or r.no_inherit_re.search(clause_after):
        return
    # a full date or a relative year earlier in the paragraph ("…于2024年12月21日至22日举行。
    # 全省共设13个考区"; "今年以来，…促成了一批项目。现场签约项目18个")
    p_start = paras[max(0, bisect.bisect_right(paras, s0) - 1)]
    for j in range(si - 1, -1, -1):
        ps, pe = sents[j]
        if pe <= p_start:
            break
        dy = _date_year(text, ps, pe, pub_year, r)
        if dy:
            # not across a period: "2016年11月，…签署协议…四年间，…。…5个县市已全部脱贫"
            if not r.no_inherit_re.search(text, ps, s0):
                a.year, a.year_source = dy, "context"
            return
        rm = None
        for rm in r.relative_re.finditer(text, ps, pe):
            pass
        if rm and doc_year:
            a.year, a.year_source = doc_year + r.relative[rm.group(0)], "context"
            return
        om = r.opening_year_re.match(text, ps, pe)
        if om:  # "2023年，全市地区生产总值…。全年接待游客1.2亿人次": the year scopes its paragraph
            if not r.no_inherit_re.search(text, ps, s0):
                a.year, a.year_source = int(om.group(1)), "context"
            return
    if lead_year is not None and s0 >= lead_year[1]:
        a.year, a.year_source = lead_year[0], "context"


def _is_target(text: str, pos: int, r: _Rules) -> bool:
    """A year after 到/至 is a target ("到2020年"), but not after 截至 ("截至2023年底")."""
    return text[pos - 1:pos] in r.target_before and text[pos - 2:pos - 1] not in r.target_not_after


def _inside(spans, pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _lead_year(text: str, paras: list[int], pub_year: int | None, r: _Rules) -> tuple[int, int] | None:
    """The year of the event date in the article's first body paragraph (its lead), if any."""
    for k, p in enumerate(paras[:8]):
        end = paras[k + 1] if k + 1 < len(paras) else len(text)
        if end - p < 40:  # headline, byline, dateline
            continue
        y = _date_year(text, p, end, pub_year, r)
        return (y, end) if y else None
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


def _cumulative(before: str, after: str, a: Attribution, r: _Rules) -> bool:
    last = None
    for m in r.cum_re.finditer(before):
        ctx = before[max(0, m.start() - 4):m.end() + 2]
        if not r.cum_neg_re.search(ctx):
            last = m
    if last is not None:
        if a.year_source == "explicit":
            years = list(r.year_re.finditer(before))
            if years and years[-1].start() > last.end():
                return False
        return True
    return bool(r.cum_after_re.search(after))
