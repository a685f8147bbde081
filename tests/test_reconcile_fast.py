"""The reconciler's fast paths agree with the plain readings of the rules they stand for.

* copy detection: one vectorised MinHash, buckets from one sort, verification on Python sets and
  only for pairs that can matter -- against the per-document / per-band / numpy reference;
* interval bounds without the account (``bounds``) -- against ``interval``;
* entity names indexed only as far as lookups need -- against the whole alias table;
* the clustering's lazily built row indexes -- against indexes kept up to date all along.
"""

from __future__ import annotations

import random
from collections import defaultdict
from math import asinh

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinlong_extract.records import Document, DocumentResult, Entity, Fact, Mention
from jinlong_extract.reconcile import copy_clusters, interval
from jinlong_extract.reconcile.compare import bounds
from jinlong_extract.reconcile.documents import _rep_key, similar
from jinlong_extract.reconcile.figures import Subjects, _BlockIndex, _SlotIndex
from jinlong_extract.reconcile.rules import rules
from jinlong_extract.reconcile._t2s import simplified_key


# ---------------------------------------------------------------------------------------------------
# copy detection
# ---------------------------------------------------------------------------------------------------


def _reference_copy_clusters(results: list[DocumentResult], r=None) -> tuple[dict[str, str], dict[str, str]]:
    """The rule as first written: per-document MinHash, band by band buckets, numpy verification."""
    r = r or rules()
    paths = [res.document.path for res in results]
    rep = {p: p for p in paths}
    why: dict[str, str] = {}
    sets = []
    for res in results:
        fp = [] if res.document.skipped else res.fingerprint
        sets.append(np.unique(np.asarray(fp, dtype=np.uint64)) if fp else np.zeros(0, dtype=np.uint64))
    n = len(results)
    if n < 2:
        return rep, why
    rng = np.random.default_rng(20240719)
    a = rng.integers(1, 2**63, size=r.num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=r.num_perm, dtype=np.uint64)
    sig = np.full((n, r.num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, s in enumerate(sets):
            if len(s):
                sig[i] = (a[:, None] * s[None, :] + b[:, None]).min(axis=1)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = r.num_perm // r.bands
    checked = set()
    for band in range(r.bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(sig[:, band * rows : (band + 1) * rows])
        for i in range(n):
            if len(sets[i]):
                buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if len(members) < 2 or len(members) > r.max_bucket:
                continue
            for idx in range(1, len(members)):
                y = members[idx]
                for x in members[: min(idx, r.max_compare)]:
                    if find(x) == find(y):
                        break
                    if (x, y) in checked:
                        continue
                    checked.add((x, y))
                    rule = similar(sets[x], sets[y], r)
                    if rule:
                        rx, ry = find(x), find(y)
                        parent[max(rx, ry)] = min(rx, ry)
                        why.setdefault(paths[y], f"republished copy of {paths[x]} ({rule})")
                        break
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    for members in groups.values():
        if len(members) > 1:
            best = min(members, key=lambda i: _rep_key(results[i]))
            for i in members:
                rep[paths[i]] = paths[best]
    return rep, why


def _corpus(seed: int, n_docs: int, size: int) -> list[DocumentResult]:
    """Documents drawn from a few 'sites' (shared boilerplate sentences) and 'stories' (copied
    whole, trimmed, or with furniture), so that buckets hold copies and look-alikes."""
    rnd = random.Random(seed)
    boiler = [[rnd.getrandbits(32) for _ in range(rnd.randint(2, 6))] for _ in range(4)]
    stories = [[rnd.getrandbits(32) for _ in range(rnd.randint(size // 2, size * 2))] for _ in range(n_docs // 3 + 1)]
    out = []
    for d in range(n_docs):
        story = rnd.choice(stories)
        keep = rnd.choice([1.0, 1.0, 0.9, 0.7, 0.5, 0.3])
        fp = [h for h in story if rnd.random() < keep] + rnd.choice(boiler)
        if rnd.random() < 0.1:
            fp = rnd.choice(boiler)[:]  # a page of furniture only
        if rnd.random() < 0.05:
            fp = []
        rnd.shuffle(fp)
        doc = Document(f"d{d:04d}.txt", script=rnd.choice([None, "simplified", "traditional"]))
        doc.skipped = rnd.random() < 0.03
        out.append(DocumentResult(doc, fingerprint=fp + fp[: rnd.randint(0, 2)]))  # some repeats
    return out


@pytest.mark.parametrize("seed, n_docs, size", [(1, 60, 12), (2, 300, 12), (3, 40, 400), (4, 2, 12), (5, 1, 12),
                                                 (6, 500, 12), (8, 12, 5000)])  # (5000: over a MinHash chunk)
def test_copy_clusters_match_the_reference(seed, n_docs, size):
    results = _corpus(seed, n_docs, size)
    assert copy_clusters(results) == _reference_copy_clusters(results)


@pytest.mark.parametrize("cache", [1, 2, 17])
def test_copy_clusters_match_the_reference_with_a_tiny_set_cache(monkeypatch, cache):
    """Fingerprint sets dropped and made again (``SET_CACHE``) change no verdict."""
    import jinlong_extract.reconcile.documents as documents

    monkeypatch.setattr(documents, "SET_CACHE", cache)
    results = _corpus(9, 300, 12)
    assert documents.copy_clusters(iter(results)) == _reference_copy_clusters(results)


def test_copy_clusters_match_the_reference_with_tiny_buckets(monkeypatch):
    """max_bucket and max_compare bite: the same buckets are skipped, the same members compared."""
    import dataclasses

    import jinlong_extract.reconcile.documents as documents

    small = dataclasses.replace(rules(), max_bucket=4, max_compare=2)
    results = _corpus(7, 200, 12)
    expected = _reference_copy_clusters(results, small)
    monkeypatch.setattr(documents, "rules", lambda: small)
    assert documents.copy_clusters(results) == expected


# ---------------------------------------------------------------------------------------------------
# interval bounds without the account
# ---------------------------------------------------------------------------------------------------

_TEXTS = st.sampled_from(["3800余个", "约64.5亿元", "近3000人", "超1000万元", "不到2%", "1.50亿元", "3至5个",
                          "1,200个", "１４００亿元", "三百万元", "100多家", "0.5%", "2万余亩", "120左右", "-3.5%"])
_VALUES = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, -0.0, 3800.0, 6.45e9, 1e-9, 1.4e11, -3.5, 100.0]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, _VALUES, st.sampled_from(["exact", "approx", "min", "max", "range", "other"]), _VALUES, _VALUES)
def test_bounds_are_the_interval_ends(text, value, q, low, high):
    f = Fact("d", 0, 0, len(text), text, "count", value, low, high, q, "个", None, None, None, None, None,
             None, None, False, "")
    iv = interval(f)
    b = bounds(f)
    if iv is None:
        assert b is None
    else:
        assert b is not None
        assert repr((iv.lo, iv.hi)) == repr(b)  # bit for bit (nan and -0.0 included)


# ---------------------------------------------------------------------------------------------------
# entity names indexed as far as needed
# ---------------------------------------------------------------------------------------------------


def _entities(seed: int) -> list[Entity]:
    rnd = random.Random(seed)
    pool = ["天津市", "天津", "甘肃省", "甘肅省", "津陇共振兴", "津隴共振興", "兰州", "蘭州", " 武威 ", "武威", "", "古浪县"]
    out = []
    for i in range(30):
        names = rnd.sample(pool, 3)
        mentions = [Mention("d.txt", 0, j, j + 1, rnd.choice(pool), "ORG", rnd.choice(pool + [None]))
                    for j in range(rnd.randint(0, 4))]
        out.append(Entity(f"e{i}", "ORG", names[0] or "x", names[1:], mentions))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_subjects_lazy_alias_index_is_the_whole_table(seed):
    ents = _entities(seed)
    whole: dict[str, Entity] = {}
    for e in ents:
        for name in [e.canonical, *e.aliases, *(m.text for m in e.mentions), *(m.canonical for m in e.mentions)]:
            if name:
                whole.setdefault(simplified_key(name), e)
    lazy = Subjects(ents)
    probes = list(whole) + ["不存在", "兰州", "甘肃省"]
    random.Random(seed).shuffle(probes)
    for name in probes:
        assert lazy.alias(name) is whole.get(name)
    assert Subjects(ents).by_alias == whole


# ---------------------------------------------------------------------------------------------------
# row indexes built when first looked up
# ---------------------------------------------------------------------------------------------------


class _Row:
    def __init__(self, rid, tlo, thi, period, subject):
        self.rid, self.tlo, self.thi, self.period, self.subject = rid, tlo, thi, period, subject
        self.units = [type("U", (), {"valued": True})()]


class _EagerIndex:
    """The indexes as first written: every row in all four from the first null unit on."""

    def __init__(self):
        self.idx = defaultdict(_SlotIndex)
        self.full = False

    @staticmethod
    def keys(p, s):
        return (("slot", p, s), ("subj", s), ("per", p), ("all",))

    def add(self, row):
        for k in self.keys(row.period, row.subject) if self.full else (("slot", row.period, row.subject),):
            self.idx[k].add(row.rid, row.tlo, row.thi)

    def remove(self, row):
        for k in self.keys(row.period, row.subject) if self.full else (("slot", row.period, row.subject),):
            self.idx[k].remove(row.rid, row.tlo, row.thi)

    def complete(self, rows):
        if self.full:
            return
        self.full = True
        for row in sorted(rows, key=lambda x: (x.tlo, x.rid)):
            for k in self.keys(row.period, row.subject)[1:]:
                self.idx[k].add(row.rid, row.tlo, row.thi)

    def lookup(self, p, s):
        if p is not None and s is not None:
            keys = [("slot", p, s), ("slot", p, None), ("slot", None, s), ("slot", None, None)]
        elif s is not None:
            keys = [("subj", s), ("subj", None)]
        elif p is not None:
            keys = [("per", p), ("per", None)]
        else:
            keys = [("all",)]
        return [self.idx[k] for k in keys if k in self.idx]


def _window(ixs, tlo, thi):
    slack = 1e-9 * max(abs(tlo), abs(thi), 1.0)
    return sorted(cid for ix in ixs for cid in ix.near(tlo, thi, slack))


def _state(ixs):
    """Each index's width classes (their widest row and ids) and wide rows."""
    return sorted(
        (sorted((c, lv.maxw, sorted(lv.ids)) for c, lv in ix.classes.items() if lv.ids), sorted(ix.wide))
        for ix in ixs if any(lv.ids for lv in ix.levels) or ix.wide
    )


@pytest.mark.parametrize("seed", range(40))
def test_lazy_row_indexes_find_what_eager_ones_find(seed):
    """Units come fully specified first, then with one null, then with two (as the clustering
    orders them); rows are added, and rows whose null slot a unit fills move (remove + add)."""
    rnd = random.Random(seed)
    periods, subjects = [(2023, 2023), (2024, 2024), (2019, 2021)], ["id:a", "id:b", "name:c"]
    rows: list[_Row] = []
    lazy, eager = _BlockIndex(rows), _EagerIndex()
    for nulls in (0, 1, 2):
        count = rnd.randint(0, 60)
        for k in range(count):
            p = rnd.choice(periods)
            s = rnd.choice(subjects)
            if nulls == 2:
                p = s = None
            elif nulls == 1:  # (one kind of null for a while: the other index is built late)
                p, s = rnd.choice([(None, s), (p, None)]) if k > count // 2 else (None, s)
            lo = rnd.choice([1.0, 10.0, 100.0, 1e4]) * rnd.uniform(0.5, 2)
            hi = lo * rnd.choice([1 + rnd.random() ** 3, 1 + rnd.random(), 30.0])
            tlo, thi = asinh(lo), asinh(hi)
            if nulls and not eager.full:
                eager.complete(rows)
            if nulls > lazy.nulls:
                lazy.set_nulls(nulls)
            if rnd.random() < 0.3 and nulls < 2 and s is not None and rnd.random() < 0.5:
                eager.complete(rows)  # a distinctive running total looks at other subjects
                lazy.by_period() if p is not None else lazy.every()
            assert _window(lazy.lookup(p, s), tlo, thi) == _window(eager.lookup(p, s), tlo, thi)
            assert _state(lazy.lookup(p, s)) == _state(eager.lookup(p, s))  # the same windows' widths
            # the unit joins a row and fills its slot (any row with a null: the indexes must not
            # depend on the clustering only ever filling a slot through an index already built)
            movable = [x for x in rows if x.period is None or x.subject is None]
            if movable and rnd.random() < 0.4:
                row = rnd.choice(movable)
                lazy.remove(row)
                eager.remove(row)
                row.period = row.period if row.period is not None else rnd.choice(periods)
                row.subject = row.subject if row.subject is not None else rnd.choice(subjects)
                lazy.add(row)
                eager.add(row)
            else:
                row = _Row(len(rows), tlo, thi, p, s)
                rows.append(row)
                lazy.add(row)
                eager.add(row)


# ---------------------------------------------------------------------------------------------------
# long candidate windows tested over numpy columns
# ---------------------------------------------------------------------------------------------------

_BOUND = st.one_of(
    st.sampled_from([0.0, 1.0, 3.0, 3.0000000001, 100.0, 1e12, float("inf"), -float("inf")]),
    st.floats(min_value=-1e6, max_value=1e13, allow_nan=False),
)


@st.composite
def _interval(draw):
    a, b = draw(_BOUND), draw(_BOUND)
    return (a, b) if a <= b else (b, a)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_interval(), st.integers(-1, 3), st.booleans()), min_size=1, max_size=80), _interval(),
       st.one_of(st.none(), st.integers(0, 3)))
def test_column_scan_is_the_scalar_test(rows, unit, sentence):
    """_Columns.scan keeps exactly the rows the scalar loop of _cluster_block keeps."""
    from jinlong_extract.reconcile.figures import _Columns

    eps = 1e-9
    lo, hi = unit
    skey = None if sentence is None else ("home", 0, f"s{sentence}")
    cols = _Columns()
    objs = []
    for rid, ((rlo, rhi), first, more) in enumerate(rows):
        row = type("R", (), {})()
        row.rid, row.lo, row.hi, row.period, row.subject = rid, rlo, rhi, None, None
        row.sentence = None if first < 0 else ("home", 0, f"s{first}")
        row.more_sentences = {skey} if (more and skey is not None) else ({("home", 0, "other")} if more else None)
        cols.add(rid, rlo, rhi, -1 if first < 0 else cols.sentence_id(row.sentence), (None, None))
        cols.update(row)
        objs.append(row)
    sid = -2 if skey is None else cols.sentence_id(skey)
    alo, ahi = abs(lo), abs(hi)
    expected = []
    for row in objs:  # the scalar loop of _cluster_block
        rlo, rhi = row.lo, row.hi
        if rlo <= hi and lo <= rhi:
            slack = eps * max(alo, ahi, abs(rlo), abs(rhi), 1.0)
            if max(lo, rlo) < min(hi, rhi) - slack or (abs(lo - rlo) <= slack and abs(hi - rhi) <= slack):
                if skey is None or not (skey == row.sentence or (row.more_sentences and skey in row.more_sentences)):
                    expected.append(row.rid)
    cids = list(range(len(objs)))
    assert cols.scan(cids, lo, hi, max(alo, ahi, 1.0), eps, sid, skey, objs) == expected
    assert cols.in_slot(cids, (None, None)) == cids
