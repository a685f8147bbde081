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
from dataclasses import replace

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


class _Node:
    """One distinct name: ``(type, name)``, or for people ``(name, organisation)``. Holds what the
    entity built from it needs, never the mentions themselves."""

    __slots__ = ("first", "name", "count", "texts", "titles", "same")

    def __init__(self, first: records.Mention, name: str) -> None:
        self.first = first  #: its first mention (its type, text and canonical explain the merge)
        self.name = name  #: the canonical name, or the text when none was resolved
        self.count = 0  #: mentions of it
        self.texts: dict[str, int] = {}  #: text as written -> sequence number of its first mention
        self.titles: dict[str, int] | None = None  #: people: title -> its first mention's number
        self.same: set[str] | None = None  #: rules of joining its first mention (not people)


class EntityMerger:
    """Alias merging over a stream of mentions: :meth:`add` them one at a time, in order, from any
    number of documents; :meth:`finish` turns them into entities.

    The merger keeps one node per distinct name, never the mentions (a corpus has far fewer
    names than mentions), so a caller can spool the mentions to disk and group them later by
    ``entity_of[node]``. :func:`merge_entities` is the same over mentions held in memory.
    """

    def __init__(self) -> None:
        self._index: dict[tuple[str, ...], int] = {}  #: (type, name) / ("PER", name, org) -> node
        self.nodes: list[_Node] = []
        self.mentions = 0  #: mentions added (the next one's sequence number)
        self._why: dict[tuple[str, str, str | None], str | None] = {}
        #: (type, text, canonical, org) -> node: a mention written as an earlier one only counts
        self._seen: dict[tuple[str, str, str | None, str | None], int] = {}

    def add(self, m: records.Mention) -> int:
        """Count one mention in; returns its node (what :meth:`finish`'s ``entity_of`` maps)."""
        seq = self.mentions
        self.mentions = seq + 1
        seen = (m.type, m.text, m.canonical, m.org)
        k = self._seen.get(seen)
        if k is not None:  # written as before: only the count (and a new title) can change
            node = self.nodes[k]
            node.count += 1
            if m.title:
                self._title(node, m.title, seq)
            return k
        name = m.canonical or m.text
        key = ("PER", name, m.org) if m.type == "PER" else (m.type, name)
        k = self._index.get(key)
        if k is None:
            k = self._index[key] = len(self.nodes)
            node = _Node(m, name)
            self.nodes.append(node)
            if m.type == "PER":  # (of other types, the second mention adds a rule: remember that one)
                self._seen[seen] = k
        else:
            node = self.nodes[k]
            if m.type != "PER":
                why = {_why_cached(node.first, self._why), _why_cached(m, self._why)} - {None}
                if node.same is None:
                    node.same = set()
                node.same.add("same canonical name" + (f" ({', '.join(sorted(why))})" if why else ""))
            self._seen[seen] = k
        node.count += 1
        if m.text not in node.texts:
            node.texts[m.text] = seq
        if m.title:
            self._title(node, m.title, seq)
        return k

    @staticmethod
    def _title(node: _Node, title: str, seq: int) -> None:
        if node.titles is None:
            node.titles = {}
        if title not in node.titles:
            node.titles[title] = seq

    def finish(self) -> tuple[list[records.Entity], list[int], list[list[int]]]:
        """``(entities, entity_of, nodes_of)``: the entities sorted by (type, id), each with an
        empty ``mentions`` list; the index into them of each node; the nodes of each entity.

        Rules (recorded in ``Entity.rule``): same type and canonical name; for companies, the same
        core name after stripping place prefix, legal suffix and industry words; a name equal to a
        company's name without its legal suffix; for people, the same name (split when the
        organisations named with them differ).
        """
        nodes = self.nodes
        uf = _UnionFind(len(nodes))
        names = [n.name for n in nodes]
        for k, n in enumerate(nodes):
            if n.same:
                uf.rules[k] = set(n.same)
        orgs = [k for k, n in enumerate(nodes) if n.first.type == "ORG"]
        cores: dict[str, int] = {}
        for k in orgs:
            core = company_core(names[k]) or company_core(nodes[k].first.text)
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
        groups: dict[int, list[int]] = defaultdict(list)  # nodes in order of their first mention
        people: dict[str, list[int]] = defaultdict(list)
        for k, n in enumerate(nodes):
            if n.first.type == "PER":
                people[n.name].append(k)
            else:
                groups[uf.find(k)].append(k)
        made = [(self._entity(members, uf.rules.get(root)), members) for root, members in groups.items()]
        for name, members in people.items():
            made.extend(self._people(name, members))
        made.sort(key=lambda em: (em[0].type, em[0].id))
        entity_of = [0] * len(nodes)
        for i, (_, members) in enumerate(made):
            for k in members:
                entity_of[k] = i
        return [e for e, _ in made], entity_of, [members for _, members in made]

    def _first_seen(self, members: list[int], attr: str = "texts") -> list[str]:
        """The members' texts (or titles), each once, in the order of their first mention."""
        seen: dict[str, int] = {}
        for k in members:
            for value, seq in (getattr(self.nodes[k], attr) or {}).items():
                if seq < seen.get(value, seq + 1):
                    seen[value] = seq
        return sorted(seen, key=seen.__getitem__)

    def _entity(self, members: list[int], rules: set[str] | None) -> records.Entity:
        nodes = self.nodes
        t = nodes[members[0]].first.type
        canon_counts = Counter({nodes[k].name: nodes[k].count for k in members})
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
        total = sum(canon_counts.values())
        return records.Entity(
            id=entity_id(t, canonical),
            type=t,
            canonical=canonical,
            aliases=self._first_seen(members),
            mentions=[],
            parent=parent,
            rule="; ".join(sorted(rules)) if rules else ("single mention" if total == 1 else "same canonical name"),
        )

    def _people(self, name: str, members: list[int]) -> list[tuple[records.Entity, list[int]]]:
        nodes = self.nodes
        orgs: Counter = Counter()
        for k in members:
            if nodes[k].first.org:
                orgs[nodes[k].first.org] += nodes[k].count
        if len(orgs) <= 1:
            parts: dict[str | None, list[int]] = {None: members}
        else:  # namesakes in different organisations stay apart; unaffiliated go with the commonest
            main = orgs.most_common(1)[0][0]
            parts = defaultdict(list)
            for k in members:
                org = nodes[k].first.org
                parts[org if org and org != main else None].append(k)
        out = []
        for org, group in parts.items():
            out.append((records.Entity(
                id=entity_id("PER", name if org is None else f"{name}@{org}"),
                type="PER",
                canonical=name,
                aliases=self._first_seen(group),
                mentions=[],
                titles=self._first_seen(group, "titles"),
                rule="same name" if org is None else "same name + organisation",
            ), group))
        return out

    def name_entities(self, entities: list[records.Entity], nodes_of: list[list[int]]) -> list[records.Entity]:
        """Copies of ``entities`` whose ``mentions`` hold one stand-in per name (text and canonical
        both the node's name): every name the entity goes by, without its mentions, for resolving
        subjects by name (the texts are the aliases; a mention's canonical is its node's name)."""
        out = []
        for e, members in zip(entities, nodes_of):
            stand_ins = [records.Mention("", 0, 0, 0, self.nodes[k].name, e.type, self.nodes[k].name) for k in members]
            out.append(replace(e, mentions=stand_ins))
        return out


def merge_entities(mentions: Iterable[records.Mention]) -> list[records.Entity]:
    """Cluster mentions across all articles into entities (see :class:`EntityMerger` for the
    rules), each entity with its mentions in input order."""
    merger = EntityMerger()
    ms = list(mentions)
    node_of = [merger.add(m) for m in ms]
    entities, entity_of, _ = merger.finish()
    for m, k in zip(ms, node_of):
        entities[entity_of[k]].mentions.append(m)
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
