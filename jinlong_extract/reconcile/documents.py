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

from collections.abc import Iterable, Iterator
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

#: Fingerprints kept as Python sets while candidate pairs are verified (about 2 KB each): bounds
#: the memory of copy detection, whatever the number of documents.
SET_CACHE = 2_000


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
        h = codes[:n].copy()  # (0 * prime + the first code)
        prime = np.uint64(1099511628211)
        for j in range(1, k):  # k array operations, not a loop over characters
            h *= prime
            h += codes[j : j + n]
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


def _minhash(values: np.ndarray, lengths: list[int], r: Rules) -> np.ndarray:
    """MinHash signatures (len(lengths) x num_perm) with multiply-shift hashing over uint64 of the
    sets concatenated in ``values`` (set i is the next ``lengths[i]`` elements; an empty set's
    signature is all ones).

    One vectorised pass over the concatenated sets (in chunks of bounded size) with a segmented
    minimum, not one small array operation per document.
    """
    import numpy as np

    rng = np.random.default_rng(20240719)  # fixed seed: signatures are comparable across runs
    a = rng.integers(1, 2**63, size=r.num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=r.num_perm, dtype=np.uint64)
    sig = np.full((len(lengths), r.num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    filled = [i for i, size in enumerate(lengths) if size]
    ends = np.cumsum([lengths[i] for i in filled], dtype=np.intp)
    chunk = 1 << 12  # set elements per pass: num_perm x this many uint64 stay in cache
    buffer = np.empty((r.num_perm, chunk), dtype=np.uint64)
    with np.errstate(over="ignore"):
        k = 0
        while k < len(filled):
            first = int(ends[k - 1]) if k else 0
            stop = max(int(np.searchsorted(ends, first + chunk, side="right")), k + 1)
            starts = np.concatenate(([first], ends[k : stop - 1])) - first
            part = values[None, first : int(ends[stop - 1])]
            width = part.shape[1]  # (more than a chunk only for one document bigger than a chunk)
            hashed = buffer[:, :width] if width <= chunk else np.empty((r.num_perm, width), np.uint64)
            np.multiply(a[:, None], part, out=hashed)
            np.add(hashed, b[:, None], out=hashed)
            sig[filled[k:stop]] = np.minimum.reduceat(hashed, starts, axis=1).T
            k = stop
    return sig


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
    return _verdict(len(np.intersect1d(a, b, assume_unique=True)), len(a), len(b), r)


def _verify(a: set[int], b: set[int], r: Rules) -> str | None:
    """:func:`similar` on Python sets (the fingerprints are small: a set intersection is cheaper
    than a numpy call per candidate pair)."""
    if not a or not b:
        return None
    return _verdict(len(a & b), len(a), len(b), r)


def _verdict(inter: int, na: int, nb: int, r: Rules) -> str | None:
    """Why two fingerprints of ``na`` and ``nb`` hashes sharing ``inter`` are copies, or None."""
    jac = inter / (na + nb - inter)
    if jac >= r.jaccard:
        return f"Jaccard {jac:.2f} >= {r.jaccard:g}"
    small = min(na, nb)
    if small >= r.min_shingles and inter / small >= r.containment:
        return f"containment {inter / small:.2f} >= {r.containment:g}"
    return None


def _buckets(sig: np.ndarray, filled: list[int], r: Rules) -> Iterator[list[int]]:
    """The LSH buckets worth verifying (2 to ``max_bucket`` members, ascending), band by band and
    inside a band in the order of their first member: documents whose signatures agree on all the
    rows of a band share its bucket. One stable sort of (rows, document) keys per band (a band at
    a time: the sort's arrays are a band's size, not all bands')."""
    import numpy as np

    rows = r.num_perm // r.bands
    m = len(filled)
    if m < 2:
        return
    docs = np.asarray(filled, dtype=np.intp)
    for b in range(r.bands):
        cols = [sig[docs, b * rows + j] for j in range(rows)]
        order = np.lexsort([docs, *cols[::-1]])  # primary key last: the rows, then doc
        same = np.ones(m - 1, dtype=bool)
        for c in cols:
            sc = c[order]
            same &= sc[1:] == sc[:-1]
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        sizes = np.diff(np.append(starts, m))
        keep = (sizes >= 2) & (sizes <= r.max_bucket)
        starts, sizes = starts[keep], sizes[keep]
        doc_sorted = docs[order]
        seq = np.argsort(doc_sorted[starts], kind="stable")  # buckets by first member
        flat = doc_sorted.tolist()
        for s, z in zip(starts[seq].tolist(), sizes[seq].tolist()):
            yield flat[s : s + z]


def copy_clusters(results: Iterable[DocumentResult]) -> tuple[dict[str, str], dict[str, str]]:
    """``(path -> representative, path -> rule that joined it)``; see :func:`document_clusters`.

    ``results`` are read once, in one pass: only their paths and fingerprints are kept."""
    import numpy as np

    r = rules()
    paths: list[str] = []
    keys: list[tuple[Any, ...]] = []  #: _rep_key of each
    fps: list[np.ndarray] = []  #: (as arrays: a fifth of the memory of lists of ints)
    empty = np.zeros(0, np.uint64)
    for res in results:
        paths.append(res.document.path)
        keys.append(_rep_key(res))
        fp = [] if res.document.skipped else res.fingerprint or _fact_fingerprint(res, r.shingle)
        fps.append(np.array(fp, dtype=np.uint64) if fp else empty)
    rep: dict[str, str] = {p: p for p in paths}
    why: dict[str, str] = {}
    n = len(paths)
    if n < 2:
        return rep, why
    lengths = [len(fp) for fp in fps]
    # (a repeated shingle changes no minimum: the signatures need no deduplication)
    values = np.concatenate([fp for fp in fps if len(fp)] or [empty])
    sig = _minhash(values, lengths, r)
    del values
    # the fingerprints of the documents candidate pairs need, as sets (a set intersection is
    # cheaper than a numpy call per pair), at most SET_CACHE of them at a time
    pysets: dict[int, set[int]] = {}
    # components as labels (few unions: relabel the smaller side), so "already one cluster?" is
    # a list lookup
    comp = list(range(n))
    members_of: dict[int, list[int]] = {}
    max_compare = r.max_compare
    for members in _buckets(sig, [i for i in range(n) if lengths[i]], r):
        for idx in range(1, len(members)):
            y = members[idx]
            cy = comp[y]
            for x in members[: min(idx, max_compare)]:  # stop at the first copy found
                cx = comp[x]
                if cx == cy:
                    break
                # (a pair met again in another band is verified again: remembering every pair
                # verified cost more memory than the repeats cost time)
                sx, sy = pysets.get(x), pysets.get(y)
                if sx is None or sy is None:
                    if len(pysets) >= SET_CACHE:
                        pysets.clear()
                    sx = pysets[x] = set(fps[x].tolist())
                    sy = pysets[y] = set(fps[y].tolist())
                rule = _verify(sx, sy, r)
                if rule:
                    big = members_of.pop(cx, None) or [cx]
                    small = members_of.pop(cy, None) or [cy]
                    if len(small) > len(big):
                        big, small, cx = small, big, cy
                    for i in small:
                        comp[i] = cx
                    big.extend(small)
                    members_of[cx] = big
                    why.setdefault(paths[y], f"republished copy of {paths[x]} ({rule})")
                    break
    for members in members_of.values():
        best = min(members, key=keys.__getitem__)
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
