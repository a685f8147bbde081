"""Entities: who, where, which event (issue 3 §1).

>>> ms = find_mentions("市委书记陈敏尔说,天津安捷物联科技股份有限公司在甘肃武威投资。安捷物联表示…")
>>> [(m.text, m.type, m.canonical) for m in ms][:3]
[('市委', 'ORG', '中共天津市委员会'), ('陈敏尔', 'PER', '陈敏尔'), ('天津安捷物联科技股份有限公司', 'ORG', '天津安捷物联科技股份有限公司')]
>>> sorted(e.canonical for e in merge_entities(ms) if e.type == "ORG")
['中共天津市委员会', '天津安捷物联科技股份有限公司']

Public functions: :func:`find_mentions` (one normalised article → mentions),
:func:`merge_entities` (all mentions → entities), :func:`subject_of` (a figure's subject),
:func:`entity_id`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Iterable

from jinlong_extract import records
from jinlong_extract.entities._lexicon import scan
from jinlong_extract.entities._trie import literal_alternation
from jinlong_extract.entities.events import find_events
from jinlong_extract.entities.gazetteer import default_places, find_places, load_gazetteer
from jinlong_extract.entities.orgs import (
    Name,
    company_core,
    expand_abbreviations,
    find_listed,
    find_orgs,
    short_forms,
    strip_legal,
)
from jinlong_extract.entities.orgs import rules as org_rules
from jinlong_extract.entities.people import find_people

__all__ = ["entity_id", "find_mentions", "merge_entities", "subject_of"]

_TITLE_SPAN = re.compile(r"《[^《》\n]{1,80}》")
_LEGAL_FULL = ("股份有限公司", "有限责任公司", "有限公司")
#: prepositions that make the following name an object/place of the action, not its subject
_NOT_SUBJECT_BEFORE = frozenset("向在与从对为给到赴至于和及同跟把被")
_RANK = {"ORG": 0, "EVENT": 0, "PER": 1, "LOC": 2}


def entity_id(type: str, canonical: str) -> str:  # noqa: A002 - the contract's name
    """Stable id of an entity: its type and canonical name.

    >>> entity_id("LOC", "甘肃省武威市")
    'LOC:甘肃省武威市'
    """
    return f"{type}:{canonical}"


def find_mentions(text: str, *, doc: str = "", article: int = 0) -> list[records.Mention]:
    """Entity mentions in ONE normalised (simplified) article text.

    ``start``/``end`` are offsets into ``text``. Types ORG / LOC / PER / EVENT; ``canonical``
    filled where resolvable (places: full unit path; events: programme name; people: the name);
    ``title``/``org`` for people as stated; ``edition`` for events when a year is written
    before them. Names inside a 《title》 are not mentions.

    >>> [(m.text, m.canonical, m.edition) for m in find_mentions("2024年“津陇共振兴”合作交流洽谈大会") if m.type == "EVENT"]
    [('津陇共振兴', '津陇共振兴合作交流洽谈大会', 2024)]
    """
    lex = scan(text)
    hits = find_places(text, lex)
    defaults = default_places(hits)
    cands: list[Name] = []
    for h in hits:
        if h.deictic:
            p = defaults.get(h.deictic)
            if p is not None:
                cands.append(Name(h.start, h.end, h.text, "LOC", p.canonical, rule="deictic"))
            continue
        cands.append(Name(h.start, h.end, h.text, "LOC", h.place.canonical if h.place else h.text,
                          rule="gazetteer"))
    cands.extend(find_orgs(text, hits, defaults, lex))
    cands.extend(find_events(text, hits, lex))
    people = find_people(text, lex)
    for p in people:
        cands.append(Name(p.start, p.end, p.name, "PER", p.name, rule=p.rule))
    strong = [(c.start, c.end) for c in cands if c.type != "LOC"]
    cands.extend(find_listed(text, strong))
    kept = _resolve_overlaps(cands, text)
    kept = _add_short_forms(text, kept)
    by_span = {(p.start, p.end): p for p in people}
    out: list[records.Mention] = []
    for c in kept:
        m = records.Mention(doc, article, c.start, c.end, c.text, c.type, c.canonical)
        if c.type == "PER":
            p = by_span.get((c.start, c.end))
            if p is not None and p.title:
                m.title = p.title
                m.org = _org_in(kept, p.title_start, p.start)
        elif c.type == "EVENT":
            m.edition = c.edition
        out.append(m)
    return out


def _resolve_overlaps(cands: list[Name], text: str) -> list[Name]:
    if "《" in text:
        titles = [m.span() for m in _TITLE_SPAN.finditer(text)]
        cands = [c for c in cands if not _inside_any(titles, c.start, c.end)]
    # names: longer spans first; at equal length ORG/EVENT before PER before LOC (parks)
    names = sorted((c for c in cands if c.rule not in _PLACE_RULES),
                   key=lambda c: (-(c.end - c.start), _RANK[c.type], c.start))
    taken: list[tuple[int, int]] = []  # kept names (non-overlapping, sorted)
    kept: list[Name] = []
    for c in names:
        if _overlaps(taken, c.start, c.end):
            continue
        insort(taken, (c.start, c.end))
        kept.append(c)
    # gazetteer places come from one leftmost-longest scan, so they never overlap each other.
    # A place named inside an organisation or event (秦安县 in 秦安县乾嘉…有限公司) stays a place
    # mention of its own (兰州新区 in 兰州新区产业园 too); one that crosses a name's edge does not.
    for c in cands:
        if c.rule in _PLACE_RULES and not _crosses(taken, c.start, c.end):
            kept.append(c)
    kept.sort(key=lambda c: (c.start, -c.end))
    return kept


_PLACE_RULES = frozenset({"gazetteer", "deictic"})


def _inside_any(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Is [s, e) strictly inside one of the sorted ``spans`` (inside 《…》)?"""
    i = bisect_left(spans, (s, s)) - 1
    return i >= 0 and spans[i][0] < s and e < spans[i][1]


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Does [s, e) overlap any span of the sorted, non-overlapping ``spans``?"""
    i = bisect_left(spans, (s, s))
    if i < len(spans) and spans[i][0] < e:
        return True
    return i > 0 and spans[i - 1][1] > s


def _crosses(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Does [s, e) overlap a span without lying inside it?"""
    i = bisect_left(spans, (s, s))
    for j in (i - 1, i):
        if 0 <= j < len(spans):
            a, b = spans[j]
            if s < b and a < e and not (a <= s and e <= b):
                return True
    if i + 1 < len(spans) and spans[i + 1][0] < e:
        return True
    return False


def _add_short_forms(text: str, kept: list[Name]) -> list[Name]:
    """Look up the short forms of the companies found (安捷物联 for 天津安捷物联科技股份有限公司)."""
    forms: dict[str, str] = {}
    for c in kept:
        if c.type == "ORG":
            for f in short_forms(c.text):
                forms.setdefault(f, c.canonical or c.text)
    if not forms:
        return kept
    taken = sorted((c.start, c.end) for c in kept if c.type != "LOC")
    extra = [
        Name(m.start(), m.end(), m.group(), "ORG", forms[m.group()], rule="short form of a company in the article")
        for m in literal_alternation(forms).finditer(text)
        if not _overlaps(taken, m.start(), m.end())
    ]
    return sorted(kept + extra, key=lambda c: c.start)


def _org_in(kept: list[Name], lo: int | None, hi: int) -> str | None:
    if lo is None:
        return None
    orgs = [c for c in kept if c.type == "ORG" and lo <= c.start and c.end <= hi]
    return (orgs[-1].canonical or orgs[-1].text) if orgs else None


# ---------------------------------------------------------------------------------------------
class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.rules: dict[int, set[str]] = defaultdict(set)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, rule: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.rules[ra] |= self.rules.pop(rb, set())
            self.rules[ra].add(rule)


def merge_entities(mentions: Iterable[records.Mention]) -> list[records.Entity]:
    """Cluster mentions across all articles into entities.

    Rules (recorded in ``Entity.rule``): same type and canonical name; for companies, the same
    core name after stripping place prefix, legal suffix and industry words (``安捷物联`` =
    ``天津安捷物联科技股份有限公司``); for people, the same name (split when the organisations
    named with them differ).
    """
    ms = list(mentions)
    uf = _UnionFind(len(ms))
    first: dict[tuple[str, str], int] = {}
    for i, m in enumerate(ms):
        if m.type == "PER":
            continue
        key = (m.type, m.canonical or m.text)
        if key in first:
            j = first[key]
            why = {_why(ms[j]), _why(m)} - {None}
            uf.union(j, i, "same canonical name" + (f" ({', '.join(sorted(why))})" if why else ""))
        else:
            first[key] = i
    cores: dict[str, int] = {}
    for i, m in enumerate(ms):
        if m.type != "ORG":
            continue
        core = company_core(m.canonical or m.text) or company_core(m.text)
        if core is None:
            continue
        if core in cores:
            uf.union(cores[core], i, "core-name match after stripping place prefix + legal suffix + industry words")
        else:
            cores[core] = i
    # 天津智慧城市研究院 = 天津智慧城市研究院有限公司: a name equal to a company's name without
    # its legal suffix
    bare: dict[str, int] = {}
    for i, m in enumerate(ms):
        if m.type == "ORG":
            c = m.canonical or m.text
            b = strip_legal(c)
            if b != c:
                bare.setdefault(b, i)
    for i, m in enumerate(ms):
        if m.type == "ORG" and (m.canonical or m.text) in bare:
            uf.union(bare[m.canonical or m.text], i, "name equals a company name without its legal suffix")
    groups: dict[int, list[int]] = defaultdict(list)
    for i, m in enumerate(ms):
        if m.type != "PER":
            groups[uf.find(i)].append(i)
    entities = [_entity([ms[i] for i in idx], uf.rules.get(root)) for root, idx in groups.items()]
    entities.extend(_people(ms))
    entities.sort(key=lambda e: (e.type, e.id))
    return entities


def _why(m: records.Mention) -> str | None:
    """How a mention's canonical name was reached when it differs from the text."""
    if not m.canonical or m.canonical == m.text:
        return None
    if m.type == "LOC":
        return "gazetteer short form / parent path" if not m.text.startswith(("我", "本")) else "article's own place"
    if m.type == "EVENT":
        return "event alias table"
    if m.type == "ORG":
        r = org_rules()
        if m.text in r["known"]:
            return "known organisation alias"
        if m.text.endswith(tuple(r["bodies"])) and m.canonical != expand_abbreviations(m.text):
            return "party/government body template"
        if m.text[:1] in r["levels"]:
            return "level character resolved to the article's place"
        if expand_abbreviations(m.text) != m.text:
            return "abbreviation expanded"
        if m.canonical.endswith(_LEGAL_FULL) and len(m.text) < len(m.canonical):
            return "short form of a company named in the article"
        return "place prefix expanded"
    return None


def _entity(members: list[records.Mention], rules: set[str] | None) -> records.Entity:
    t = members[0].type
    canon_counts = Counter(m.canonical or m.text for m in members)
    if t == "ORG":
        known = set(org_rules()["known"].values())
        pool = list(canon_counts)
        canonical = next((c for c in pool if c in known), None)
        if canonical is None:
            legal = [c for c in pool if c.endswith(_LEGAL_FULL)]
            canonical = max(legal or pool, key=lambda c: (len(c), canon_counts[c]))
    else:
        canonical = canon_counts.most_common(1)[0][0]
    parent = None
    if t == "LOC":
        gaz = load_gazetteer()
        place = gaz.by_canonical.get(canonical)
        if place is not None and place.parent:
            parent = gaz.places[place.parent].canonical
    return records.Entity(
        id=entity_id(t, canonical),
        type=t,
        canonical=canonical,
        aliases=list(dict.fromkeys(m.text for m in members)),
        mentions=members,
        parent=parent,
        rule="; ".join(sorted(rules)) if rules else ("single mention" if len(members) == 1 else "same canonical name"),
    )


def _people(ms: list[records.Mention]) -> list[records.Entity]:
    by_name: dict[str, list[records.Mention]] = defaultdict(list)
    for m in ms:
        if m.type == "PER":
            by_name[m.canonical or m.text].append(m)
    out: list[records.Entity] = []
    for name, members in by_name.items():
        orgs = Counter(m.org for m in members if m.org)
        if len(orgs) <= 1:
            parts = {None: members}
        else:  # namesakes in different organisations stay apart; unaffiliated go with the commonest
            main = orgs.most_common(1)[0][0]
            parts: dict[str | None, list[records.Mention]] = defaultdict(list)
            for m in members:
                parts[m.org if m.org and m.org != main else None].append(m)
        for org, group in parts.items():
            canonical = name
            out.append(records.Entity(
                id=entity_id("PER", name if org is None else f"{name}@{org}"),
                type="PER",
                canonical=canonical,
                aliases=list(dict.fromkeys(m.text for m in group)),
                mentions=group,
                titles=list(dict.fromkeys(m.title for m in group if m.title)),
                rule="same name" if org is None else "same name + organisation",
            ))
    return out


# ---------------------------------------------------------------------------------------------
def subject_of(
    mentions: list[records.Mention], start: int, end: int, sentence_start: int, text: str | None = None
) -> records.Mention | None:
    """The ORG / LOC / EVENT a figure's clause is about, or None.

    Candidates are the article's mentions between ``sentence_start`` and the figure ``start``
    (offsets into the same text); a place inside a name (天津 in 天津港峰门窗公司) is not one.

    * With ``text`` (the article text the offsets point into — pass it when you can): names
      inside 《…》 and names right after a preposition (``向甘肃投入…``: the recipient) are
      skipped; the figure's clause (up to the last ，；：) is searched first, then the clauses
      before it; in a clause the first ORG / EVENT wins, else its first place (the subject
      stands at the clause start: ``我市各类企业采购、帮助销售甘肃农特产品超20亿元`` → 我市).
    * Without ``text``: the nearest preceding candidate, except that an ORG / EVENT standing
      within a few characters before a bare LOC is preferred (``天津港峰门窗公司在灵台县建设…``).

    >>> t = "天津港峰门窗公司在灵台县建设年产30万平米节能门窗生产加工基地项目。"
    >>> ms = find_mentions(t)
    >>> subject_of(ms, 15, 20, 0).text, subject_of(ms, 15, 20, 0, text=t).text
    ('天津港峰门窗公司', '天津港峰门窗公司')
    """
    cands = [m for m in mentions if m.type in ("ORG", "LOC", "EVENT")
             and sentence_start <= m.start and m.end <= start]
    # a place inside a name (天津 in 天津港峰门窗公司) is not the clause's subject: the name is
    cands = [m for m in cands if not any(o is not m and o.start <= m.start and m.end <= o.end
                                         and (o.end - o.start) > (m.end - m.start) for o in cands)]
    if not cands:
        return None
    cands.sort(key=lambda m: (m.start, m.end))
    if text is not None:
        return _subject_in_clauses(cands, text, sentence_start, start)
    best = max(cands, key=lambda m: m.end)
    if best.type == "LOC":
        for m in reversed(cands):
            if m is best:
                continue
            if m.type in ("ORG", "EVENT") and 0 <= best.start - m.end <= 4:
                return m
    return best


_CLAUSE_END = re.compile(r"[，,；;：:]")


def _subject_in_clauses(cands: list[records.Mention], text: str, lo: int, start: int) -> records.Mention | None:
    if "《" in text[lo:start]:
        titles = [mm.span() for mm in _TITLE_SPAN.finditer(text, lo, start)]
        cands = [m for m in cands if not any(a < m.start and m.end < b for a, b in titles)]
    direct = [m for m in cands if not (m.start > 0 and text[m.start - 1] in _NOT_SUBJECT_BEFORE)]
    bounds = [lo] + [mm.end() for mm in _CLAUSE_END.finditer(text, lo, start)]
    hi = start
    for cs in reversed(bounds):
        in_clause = [m for m in direct if cs <= m.start and m.end <= hi]
        if in_clause:
            names = [m for m in in_clause if m.type != "LOC"]
            return (names or in_clause)[0]
        hi = cs
    return None
