"""Republished copies: the same article on another site, in traditional characters, in another
encoding, with or without page furniture, is one cluster.

Rule (parameters in ``data/reconcile.toml`` ``[documents]``): shingle the simplified, punctuation-
and whitespace-free text into ``shingle``-character windows; MinHash the shingle set; LSH-band the
signatures so only documents sharing a band are candidates (never all pairs; inside a bucket each
document is verified against at most ``max_compare`` earlier members); verify each candidate pair
on the exact shingle sets: copies when Jaccard >= ``jaccard`` or containment of the smaller in
the larger >= ``containment`` (the smaller having at least ``min_shingles`` shingles); clusters are
the connected components.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import regex

from jinlong_extract.records import DocumentResult
from jinlong_extract.reconcile.rules import Rules, rules

if TYPE_CHECKING:  # numpy is imported lazily: `jinlong --help` must not pay for it
    import numpy as np

#: Everything that is not text for copy detection: punctuation, symbols, separators, whitespace,
#: and the Latin letters/digits of pinyin glosses and page furniture URLs are kept (they are text).
_NOT_TEXT = regex.compile(r"[\p{P}\p{S}\p{Z}\s]+")

_MASK64 = (1 << 64) - 1


def _simplify(text: str) -> str:
    from jinlong_extract.reconcile._t2s import to_simplified

    return to_simplified(text)


def text_fingerprint(text: str, simplify: bool = False, k: int | None = None) -> list[int]:
    """Shingle hashes (sorted, unique, 64-bit) of a text for republished-copy detection.

    The text is folded to simplified when ``simplify`` (the pipeline passes text it has already
    normalised), stripped of punctuation and whitespace, and cut into ``k``-character windows
    hashed with a vectorised polynomial hash (no per-character Python loop).

    >>> a = text_fingerprint("天津市累计投入财政援助资金64.5亿元。")
    >>> a == text_fingerprint("天津市 累计投入财政援助资金 64.5亿元")
    True
    """
    import numpy as np

    k = k or rules().shingle
    if simplify:
        text = _simplify(text)
    text = _NOT_TEXT.sub("", text)
    if not text:
        return []
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < k:
        k = len(codes)
    n = len(codes) - k + 1
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        prime = np.uint64(1099511628211)
        for j in range(k):  # k array operations, not a loop over characters
            h = h * prime + codes[j : j + n]
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return np.unique(h).tolist()


def _fact_fingerprint(result: DocumentResult, k: int) -> list[int]:
    """Fallback fingerprint when the pipeline left none: shingles of the facts' sentences."""
    seen: dict[str, None] = {}
    for f in result.facts:
        if f.sentence:
            seen.setdefault(f.sentence, None)
    if not seen:
        return []
    return text_fingerprint("\n".join(seen), simplify=True, k=k)


def _minhash(sets: list[np.ndarray], r: Rules) -> np.ndarray:
    """MinHash signatures (len(sets) x num_perm) with multiply-shift hashing over uint64."""
    import numpy as np

    rng = np.random.default_rng(20240719)  # fixed seed: signatures are comparable across runs
    a = rng.integers(1, 2**63, size=r.num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=r.num_perm, dtype=np.uint64)
    sig = np.full((len(sets), r.num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, s in enumerate(sets):
            if len(s):
                sig[i] = (a[:, None] * s[None, :] + b[:, None]).min(axis=1)
    return sig


class _UnionFind:
    __slots__ = ("parent",)

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            if rx < ry:
                self.parent[ry] = rx
            else:
                self.parent[rx] = ry


def similar(a: np.ndarray, b: np.ndarray, r: Rules | None = None) -> str | None:
    """The copy rule two sorted unique shingle arrays satisfy, or None.

    >>> import numpy as np
    >>> x = np.arange(100, dtype=np.uint64)
    >>> similar(x, np.arange(0, 130, dtype=np.uint64))
    'Jaccard 0.77 >= 0.5'
    """
    import numpy as np

    r = r or rules()
    if not len(a) or not len(b):
        return None
    inter = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - inter
    jac = inter / union
    if jac >= r.jaccard:
        return f"Jaccard {jac:.2f} >= {r.jaccard:g}"
    small = min(len(a), len(b))
    if small >= r.min_shingles and inter / small >= r.containment:
        return f"containment {inter / small:.2f} >= {r.containment:g}"
    return None


def copy_clusters(results: list[DocumentResult]) -> tuple[dict[str, str], dict[str, str]]:
    """``(path -> representative, path -> rule that joined it)``; see :func:`document_clusters`."""
    import numpy as np

    r = rules()
    paths = [res.document.path for res in results]
    rep: dict[str, str] = {p: p for p in paths}
    why: dict[str, str] = {}
    sets: list[Any] = []
    for res in results:
        fp = res.fingerprint if res.fingerprint else _fact_fingerprint(res, r.shingle)
        if res.document.skipped:
            fp = []
        sets.append(np.unique(np.asarray(fp, dtype=np.uint64)) if fp else np.zeros(0, dtype=np.uint64))
    n = len(results)
    if n < 2:
        return rep, why
    sig = _minhash(sets, r)
    rows = r.num_perm // r.bands
    uf = _UnionFind(n)
    checked: set[tuple[int, int]] = set()
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
                for x in members[: min(idx, r.max_compare)]:  # stop at the first copy found
                    if uf.find(x) == uf.find(y):
                        break
                    if (x, y) in checked:
                        continue
                    checked.add((x, y))
                    rule = similar(sets[x], sets[y], r)
                    if rule:
                        uf.union(x, y)
                        why.setdefault(paths[y], f"republished copy of {paths[x]} ({rule})")
                        break
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[uf.find(i)].append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        best = min(members, key=lambda i: _rep_key(results[i]))
        for i in members:
            rep[paths[i]] = paths[best]
    return rep, why


def _rep_key(res: DocumentResult) -> tuple[Any, ...]:
    """Representative of a cluster: a decoded, simplified copy with the fewest errors, then by path."""
    d = res.document
    return (d.skipped, d.script not in (None, "simplified"), len(d.errors), d.path)


def document_clusters(results: list[DocumentResult]) -> dict[str, str]:
    """Map each document path to its republished-copy cluster representative.

    Uses ``DocumentResult.fingerprint`` (shingle hashes of the normalised simplified text, see
    :func:`text_fingerprint`); when a result has none, the shingles of its facts' sentences.

    >>> from jinlong_extract.records import Document
    >>> body = "天津市累计向甘肃投入财政援助资金六十四亿五千万元实施协作项目三千八百余个" * 3
    >>> a = DocumentResult(Document("a.txt"), fingerprint=text_fingerprint(body))
    >>> b = DocumentResult(Document("b.txt"), fingerprint=text_fingerprint("首页 | 导航 " + body + " 版权所有"))
    >>> document_clusters([a, b])
    {'a.txt': 'a.txt', 'b.txt': 'a.txt'}
    """
    return copy_clusters(results)[0]
