"""Organisations: suffix rules with their place prefix, party/government bodies, known names.

* **Suffix rule.** Every org suffix (``有限公司``, ``研究院``, ``厅`` …) ends a candidate; its
  start is found by :func:`~jinlong_extract.entities._context.name_start` (clause punctuation,
  then the last boundary token). A chain of places at the start is cut to its innermost
  county (``甘肃天水秦安县乾嘉…有限公司`` → ``秦安县乾嘉…有限公司``).
* **Bodies.** ``市委`` / ``省政府`` / ``省人大常委会`` take the place written before them, else the
  article's default place of that level (``市委`` in a 天津日报 article → 中共天津市委员会).
* **Known names.** ``data/entities.toml`` ``[[known_orgs]]``: press short forms whose registered
  name no rule can recover (``天士力集团`` → 天士力控股集团有限公司).
* **Short forms.** Once ``天津安捷物联科技股份有限公司`` is found, its core names
  (``安捷物联科技``, ``安捷物联``) are looked up in the same article.

Canonical names expand abbreviations (``工信厅`` → 工业和信息化厅) and, for public bodies, the
place (``甘肃农业科学院`` → 甘肃省农业科学院); companies keep their name as registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinlong_extract.data import load_table
from jinlong_extract.entities import _context
from jinlong_extract.entities.gazetteer import Place, PlaceHit, load_gazetteer


@dataclass(slots=True)
class Name:
    """A name found in an article (before it becomes a :class:`records.Mention`)."""

    start: int
    end: int
    text: str
    type: str
    canonical: str | None = None
    edition: int | None = None
    rule: str = ""


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    table = load_table("entities")
    orgs = table["orgs"]
    known: dict[str, str] = {}
    for entry in table["known_orgs"]:
        known[entry["canonical"]] = entry["canonical"]
        for alias in entry["aliases"]:
            known[alias] = entry["canonical"]
    levels = orgs["gov_levels"]
    bodies = {b["form"]: b["template"] for b in table["gov_bodies"]}
    body_rx = re.compile(
        "([" + "".join(levels) + "])(" + "|".join(sorted(map(re.escape, bodies), key=len, reverse=True)) + ")"
    )
    return {
        "park": frozenset(orgs["park_suffixes"]),
        "guards": dict(orgs["suffix_guards"]),
        "followers": {k: tuple(v) for k, v in orgs["suffix_followers"].items()},
        "legal": tuple(orgs["legal_suffixes"]),
        "industry": tuple(orgs["industry_words"]),
        "abbrev": sorted(orgs["abbreviations"], key=lambda p: len(p[0]), reverse=True),
        "public": tuple(orgs["public_suffixes"]),
        "generic_min": dict(orgs["generic_suffix_min_core"]),
        "all_suffixes": tuple(sorted(orgs["suffixes"], key=len, reverse=True)),
        "known": known,
        "known_prefix": re.compile("|".join(map(re.escape, sorted(known, key=len, reverse=True)))),
        "levels": dict(levels),
        "bodies": bodies,
        "body_rx": body_rx,
        "gov_guard": frozenset(orgs["gov_guard"]["chars"]),
        "publications": dict(orgs["titled_publications"]),
        "publication_rx": re.compile(
            "《([^《》\n]{1,20})》(" + "|".join(sorted(map(re.escape, orgs["titled_publications"]), key=len, reverse=True)) + ")"
        ),
        "lists": {t: tuple(v) for t, v in table["lists"].items() if isinstance(v, list)},
        "coord_endings": tuple(orgs["industry_words"]) + tuple(orgs["legal_suffixes"]),
        "titles": tuple(table["people"]["titles"]),
        "max_item": int(table["lists"]["max_item_len"]),
    }


@lru_cache(maxsize=65536)
def expand_abbreviations(name: str) -> str:
    """``天津市发展改革委`` → ``天津市发展和改革委员会``; ``省工信厅`` → ``省工业和信息化厅``."""
    for short, full in rules()["abbrev"]:
        if short in name and full not in name:
            name = name.replace(short, full)
    return name


@lru_cache(maxsize=65536)
def strip_legal(core: str) -> str:
    """The name without legal / group suffixes: 天津智慧城市研究院有限公司 -> 天津智慧城市研究院."""
    return _strip_suffixes(core, rules()["legal"])


def _strip_suffixes(core: str, suffixes: tuple[str, ...]) -> str:
    """``core`` without trailing ``suffixes``, repeatedly, each time the first that ends it,
    while at least two characters stay."""
    changed = core.endswith(suffixes)  # most names end with none of them
    while changed:
        changed = False
        for suf in suffixes:
            if core.endswith(suf) and len(core) - len(suf) >= 2:
                core = core[: -len(suf)]
                changed = True
                break
    return core


@lru_cache(maxsize=65536)
def _strip_places(core: str) -> str:
    """Drop leading place names (any gazetteer form): 天津滨海联科… -> 联科…"""
    forms = load_gazetteer().forms
    suffixes = rules()["all_suffixes"]
    while True:
        for n in range(min(len(core) - 2, 12), 1, -1):
            if core[:n] in forms:
                rest = core[n:]
                if rest in suffixes or rest.startswith(("(", ")")):
                    return core
                core = rest
                break
        else:
            return core


@lru_cache(maxsize=65536)
def company_core(name: str) -> str | None:
    """Core name of a company for merging short and long forms, or None for non-companies.

    Place prefix, legal suffix and trailing industry words are stripped:

    >>> company_core("天津安捷物联科技股份有限公司"), company_core("安捷物联科技公司")
    ('安捷物联', '安捷物联')
    >>> company_core("天士力控股集团有限公司"), company_core("甘肃省工信厅")
    ('天士力', None)
    """
    if not name.endswith(rules()["legal"]) and not name.endswith("集团"):
        return None
    core = strip_legal(_strip_places(name))
    core = strip_legal(core)
    core = _strip_suffixes(core, rules()["industry"])
    return core if len(core) >= 2 else None


@lru_cache(maxsize=65536)
def short_forms(name: str) -> tuple[str, ...]:
    """Short forms of a company name the press uses alone (≥ 3 characters).

    >>> short_forms("天津滨海联科科技发展有限公司")
    ('联科科技发展', '联科科技')
    """
    if company_core(name) is None:
        return ()
    core = strip_legal(_strip_places(name))
    out = [core]
    industry = rules()["industry"]
    changed = core.endswith(industry)
    while changed:
        changed = False
        for word in industry:
            if core.endswith(word) and len(core) - len(word) >= 3:
                core = core[: -len(word)]
                out.append(core)
                changed = True
                break
    return tuple(f for f in dict.fromkeys(out) if len(f) >= 3 and f != name)


def _trim_place_chain(hits_by_start: dict[int, PlaceHit], start: int, end: int) -> int:
    """甘肃天水秦安县乾嘉… → start at 秦安县 (the innermost county written with its suffix)."""
    chain: list[PlaceHit] = []
    pos = start
    while pos in hits_by_start and hits_by_start[pos].end < end:
        h = hits_by_start[pos]
        chain.append(h)
        pos = h.end
    if len(chain) < 2:
        return start
    for h in reversed(chain):
        if h.suffixed and h.place is not None and h.place.level == "county":
            return h.start
    return start


def canonical_org(name: str, start: int, hits_by_start: dict[int, PlaceHit], defaults: dict[str, Place]) -> str:
    """Canonical (simplified, full) form of an organisation name as written at ``start``."""
    full, public = _org_base(name)
    if public:
        r = rules()
        lead = hits_by_start.get(start)
        if lead is not None and lead.place is not None and not lead.suffixed and lead.place.level != "zone":
            full = lead.place.name + full[lead.end - start:]  # 甘肃农业科学院 -> 甘肃省农业科学院
        elif lead is None and full[:1] in r["levels"]:
            place = defaults.get(full[0])
            if place is not None:  # 省工信厅 -> 甘肃省工业和信息化厅
                full = place.name + full[1:]
    return full


@lru_cache(maxsize=65536)
def _org_base(name: str) -> tuple[str, bool]:
    """The canonical form of a name as far as it does not depend on the article's places, and
    whether it is a public body (whose place is then made explicit, see :func:`canonical_org`)."""
    r = rules()
    if name in r["known"]:
        return r["known"][name], False
    bare = strip_legal(name)
    if bare in r["known"] and not r["known"][bare].startswith(name):
        return r["known"][bare], False
    full = expand_abbreviations(name)
    lead_known = r["known_prefix"].match(full)
    if lead_known is not None and lead_known.end() < len(full):
        alias = lead_known.group()
        canon = r["known"][alias]
        if not canon.startswith(alias):
            full = canon + full[len(alias):]  # 农业银行兰州分行 -> 中国农业银行兰州分行
    return full, full.endswith(r["public"])


def find_orgs(text: str, hits: list[PlaceHit], defaults: dict[str, Place], lex: list | None = None) -> list[Name]:
    """Organisations (and parks, as places) named in one article. Offsets into ``text``.

    ``lex``: the article's :func:`~jinlong_extract.entities._lexicon.scan` (computed if None).
    """
    r = rules()
    if lex is None:
        from jinlong_extract.entities._lexicon import scan

        lex = scan(text)
    known = r["known"]
    known_starts: set[int] = set()
    out: list[Name] = []
    # suffix rule; adjacent suffixes form one run (…研究院有限公司)
    guards, followers = r["guards"], r["followers"]
    runs: list[list] = []
    for h in lex:
        tags = h.tags
        if "known_org" in tags:
            known_starts.add(h.start)
            out.append(Name(h.start, h.end, h.text, "ORG", known[h.text], None, "known name"))
        if "org_suffix" not in tags:
            continue
        suf = h.text
        guard = guards.get(suf)
        if guard and h.start > 0 and text[h.start - 1] in guard:
            continue
        follow = followers.get(suf)
        if follow and text.startswith(follow, h.end):
            continue
        if runs and runs[-1][1] == h.start:
            runs[-1][1] = h.end
            runs[-1][2] = suf
        else:
            runs.append([h.start, h.end, suf])
    if runs:
        hits_by_start = {h.start: h for h in hits if h.place is not None}
        place_starts: frozenset[int] | None = None  # built when first asked for (和 is rare)

        def starts_name(off: int) -> bool:
            nonlocal place_starts
            if place_starts is None:
                place_starts = frozenset(h.start for h in hits)
            return off in place_starts or off in known_starts

        name_start = _context.name_start
        min_core = _context.min_core()
        generic = _context.generic_prefixes()
        generic_min, park = r["generic_min"], r["park"]
        floor = 0
        for s, e, suf in runs:
            start = name_start(text, s, floor, starts_name)
            if start in hits_by_start:
                start = _trim_place_chain(hits_by_start, start, s)
            dot = text.rfind("·", start, s)
            if dot >= 0:
                start = dot + 1  # 新甘肃·甘肃日报: the masthead after the brand dot
            if s - start < min_core:
                continue
            name = text[start:e]
            if name.startswith(generic):
                continue  # see _context.is_generic
            need = generic_min.get(suf)
            if need and s - start < need and not any(start <= h.start < s for h in hits) and start not in known_starts:
                continue  # 区域诊疗中心: a description, not a name
            if suf in park:
                if start not in hits_by_start:
                    continue  # parks are names only with their place: 天津产业园
                out.append(Name(start, e, name, "LOC", name, None, "park suffix with place prefix"))
                continue
            out.append(Name(start, e, name, "ORG", canonical_org(name, start, hits_by_start, defaults), None,
                            "org suffix"))
            floor = 0

    # publications: 《中国品牌》杂志 -> 中国品牌杂志社
    for m in r["publication_rx"].finditer(text):
        canon = m.group(1) + r["publications"][m.group(2)]
        out.append(Name(m.start(), m.end(), m.group(), "ORG", canon, rule="titled publication"))

    # party and government bodies: 市委, 甘肃省委, 省政府, 省人大常委会
    ends: dict[int, PlaceHit] | None = None
    prev_end, prev_place = -1, None
    for m in r["body_rx"].finditer(text):
        if ends is None:
            ends = {h.end: h for h in hits}
        lvl_char, form = m.group(1), m.group(2)
        lead = ends.get(m.start() + 1)  # 甘肃省委: the place hit 甘肃省 ends after 省
        if lead is not None and lead.text.endswith(lvl_char) and lead.place is not None:
            place, start = lead.place, lead.start
        elif m.start() == prev_end and prev_place is not None:
            place, start = prev_place, m.start()  # 天津市委市政府: the same city's government
        else:
            if m.start() > 0 and text[m.start() - 1] in r["gov_guard"]:
                continue
            if ends.get(m.start()) is not None:
                continue  # 天津市委 is handled above; 甘南州政府 likewise
            place = defaults.get(lvl_char)
            start = m.start()
        canon = r["bodies"][form].format(place=place.name) if place is not None else None
        out.append(Name(start, m.end(), text[start:m.end()], "ORG", canon, rule="party/government body"))
        prev_end, prev_place = m.end(), place
    return out


def find_listed(text: str, taken: list[tuple[int, int]]) -> list[Name]:
    """Items of ``A、B等企业`` / ``A、B等合作交流洽谈大会`` lists, typed by the trigger word."""
    r = rules()
    out: list[Name] = []
    for kind, triggers in r["lists"].items():
        rx = _list_rx(kind, triggers)
        for m in rx.finditer(text):
            end = m.start()  # position of 等
            cs = _context.clause_start(text, end, lists=True)
            items_text = text[cs:end]
            pos = cs
            for item in items_text.split("、"):
                s, e = pos, pos + len(item)
                pos = e + 1
                if not item:
                    continue
                if s == cs:
                    s = _context.name_start(text, e, cs)
                name = text[s:e]
                if not (2 <= len(name) <= r["max_item"]) or _context.is_generic(name):
                    continue
                if any(a <= s and e <= b for a, b in taken):
                    continue
                out.append(Name(s, e, name, kind, name, rule=f"listed before 等{m.group(1)}"))
    return out


@lru_cache(maxsize=4)
def _list_rx(kind: str, triggers: tuple[str, ...]) -> re.Pattern[str]:
    alt = "|".join(sorted(map(re.escape, triggers), key=len, reverse=True))
    return re.compile("等(" + alt + ")")


#: an unsuffixed name right after ``ORG与`` / ``ORG、`` runs up to one of these
_COORD_AFTER = re.compile(r"[\u4e00-\u9fff]{3,10}?(?=签署|签订|共建|合作|达成|联合|共同|等|[，,。；;、]|$)")
_COORD_JOIN = "与和、"


def find_coordinated(text: str, names: list[Name], place_forms: Any) -> list[Name]:
    """Company names without a suffix, coordinated with a name found otherwise.

    ``天津滨海光热与中国华电集团共建…``, ``…与天津产业园、同泰神州科技签署三方协议``: a 3–10
    character name joined to an organisation (or park) by 与 / 和 / 、, that starts with a place
    name or ends with an industry word / legal suffix, is an organisation too.
    """
    r = rules()
    industry = r["coord_endings"]
    titles = r["titles"]
    generic = _context.generic_prefixes()
    spans: list[tuple[int, int]] | None = None
    out: list[Name] = []

    def plausible(s: int, e: int) -> bool:
        nonlocal spans
        if not (3 <= e - s <= 10):
            return False
        x = text[s:e]
        if x.startswith(generic) or any(ch.isdigit() for ch in x):
            return False
        if x.endswith(titles):  # 和田地委副书记、… is a person's title
            return False
        if spans is None:
            spans = sorted((n.start, n.end) for n in names)
        if any(a < e and s < b for a, b in spans):
            return False
        return x.endswith(industry) or any(x[:n] in place_forms for n in range(min(4, len(x) - 2), 1, -1))

    n_text = len(text)
    for n in names:
        if n.type != "ORG" and (n.type != "LOC" or n.rule != "park suffix with place prefix"):
            continue
        if n.start > 0 and text[n.start - 1] in _COORD_JOIN:
            xe = n.start - 1
            xs = _context.name_start(text, xe)
            if plausible(xs, xe):
                out.append(Name(xs, xe, text[xs:xe], "ORG", text[xs:xe], rule="coordinated with an organisation"))
        if n.end < n_text and text[n.end] in _COORD_JOIN:
            m = _COORD_AFTER.match(text, n.end + 1)
            if m is not None and plausible(m.start(), m.end()):
                out.append(Name(m.start(), m.end(), m.group(), "ORG", m.group(), rule="coordinated with an organisation"))
    return out
