"""Alias merging: all articles' mentions -> entities with ids, canonical names and rules.

Rules, recorded in ``Entity.rule``: same type and canonical name (saying how the canonical was
reached: alias table, body template, abbreviation …); for companies the same core name after
stripping place prefix, legal suffix and industry words (``安捷物联`` = ``天津安捷物联科技股份有限公司``);
a name equal to a company's name without its legal suffix; for people the same name (split when
the organisations named with them differ).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from jinlong_extract import records
from jinlong_extract.entities.gazetteer import load_gazetteer
from jinlong_extract.entities.orgs import company_core, expand_abbreviations, strip_legal
from jinlong_extract.entities.orgs import rules as org_rules

_LEGAL_FULL = ("股份有限公司", "有限责任公司", "有限公司")


def entity_id(type: str, canonical: str) -> str:  # noqa: A002 - the contract's name
    """Stable id of an entity: its type and canonical name.

    >>> entity_id("LOC", "甘肃省武威市")
    'LOC:甘肃省武威市'
    """
    return f"{type}:{canonical}"

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
    # Union-find over distinct (type, canonical) keys, not over mentions: every mention of a key
    # joins its key's first mention anyway, so the same merges happen with one node per name.
    index: dict[tuple[str, str], int] = {}
    key_of: list[int] = []  # mention -> key node (-1 for people)
    names: list[str] = []  # key node -> its canonical name
    firsts: list[records.Mention] = []  # key node -> its first mention
    why_cache: dict[tuple[str, str, str | None], str | None] = {}
    same: list[set[str]] = []  # key node -> rules of joining its first mention
    for m in ms:
        if m.type == "PER":
            key_of.append(-1)
            continue
        name = m.canonical or m.text
        k = index.get((m.type, name))
        if k is None:
            k = index[(m.type, name)] = len(names)
            names.append(name)
            firsts.append(m)
            same.append(set())
        else:
            why = {_why_cached(firsts[k], why_cache), _why_cached(m, why_cache)} - {None}
            same[k].add("same canonical name" + (f" ({', '.join(sorted(why))})" if why else ""))
        key_of.append(k)
    uf = _UnionFind(len(names))
    for k, rules_k in enumerate(same):
        if rules_k:
            uf.rules[k] = set(rules_k)
    orgs = [k for k, m in enumerate(firsts) if m.type == "ORG"]
    cores: dict[str, int] = {}
    for k in orgs:
        m = firsts[k]
        core = company_core(names[k]) or company_core(m.text)
        if core is None:
            continue
        if core in cores:
            uf.union(cores[core], k, "core-name match after stripping place prefix + legal suffix + industry words")
        else:
            cores[core] = k
    # 天津智慧城市研究院 = 天津智慧城市研究院有限公司: a name equal to a company's name without
    # its legal suffix
    bare: dict[str, int] = {}
    for k in orgs:
        c = names[k]
        b = strip_legal(c)
        if b != c:
            bare.setdefault(b, k)
    for k in orgs:
        if names[k] in bare:
            uf.union(bare[names[k]], k, "name equals a company name without its legal suffix")
    groups: dict[int, list[records.Mention]] = defaultdict(list)
    for m, k in zip(ms, key_of):
        if k >= 0:
            groups[uf.find(k)].append(m)
    entities = [_entity(members, uf.rules.get(root)) for root, members in groups.items()]
    entities.extend(_people(ms))
    entities.sort(key=lambda e: (e.type, e.id))
    return entities


def _why_cached(m: records.Mention, cache: dict[tuple[str, str, str | None], str | None]) -> str | None:
    key = (m.type, m.text, m.canonical)
    if key not in cache:
        cache[key] = _why(m)
    return cache[key]


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
