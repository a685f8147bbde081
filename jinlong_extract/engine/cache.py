"""The incremental cache: one SQLite file in the output folder.

Two tables:

* ``results`` — ``(relative path, cache key) -> (sha256 of the raw bytes, pickled DocumentResult)``;
  a stored result is used only when the bytes at that path still hash to its sha256. The cache
  key is :meth:`Options.cache_key` (options + extractor version) plus a fingerprint of the record
  field layout, so a new field in :mod:`jinlong_extract.records` never unpickles into a
  half-built object, and one of the rule tables (:func:`jinlong_extract.data.tables_fingerprint`),
  so an edited table is applied to every document. The path is part of the key because the
  output depends on it (fact ids, ``.html`` vs ``.txt`` handling, dates taken from the path): the
  same bytes under a new name are processed again rather than patched. A changed file replaces
  its row, so nothing piles up.
* ``paths`` — ``relative path -> sha256`` of the bytes last seen there, so a re-run can tell
  added, changed, unchanged and deleted files apart (:meth:`Cache.diff`, :meth:`Cache.stale_paths`).

Durability: the database runs in WAL mode with ``synchronous=NORMAL`` (a committed transaction
survives the process being killed; only a power cut can lose the last commits). A commit costs
about 150 µs, as much as processing a short article at 5 MB/s, so finished documents are grouped:

* from the process pool, each finished batch (up to 32 documents, ~50 ms of work) is committed
  in one transaction as soon as it arrives (:meth:`Cache.put_many`);
* in a single process, finished documents are buffered (:meth:`Cache.add`) and committed once
  ``commit_interval`` (0.1 s) has passed since the last commit.

Ctrl-C, an exception or the consumer stopping early all go through :meth:`Cache.close`, which
commits the buffer, so they lose nothing finished. ``kill -9`` loses at most the documents
finished in the last ``commit_interval`` seconds (in a single process) and nothing already
committed.

Cost of a hit: one ``SELECT`` (a join over two primary keys) and one ``pickle.loads`` of a tuple
of plain values (:mod:`.serial`), about 2 µs a fact.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

from .. import records
from ..errors import JinlongError
from ..options import Options
from .serial import Packed, pack, unpack

#: File name of the cache inside the output folder.
CACHE_FILENAME = ".jinlong-cache.sqlite"

#: Bumped when the tables below change shape.
_SCHEMA_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    path TEXT NOT NULL,
    key TEXT NOT NULL,
    sha TEXT NOT NULL,
    created REAL NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (path, key)
);
CREATE TABLE IF NOT EXISTS paths (
    path TEXT PRIMARY KEY,
    sha TEXT NOT NULL,
    size INTEGER NOT NULL,
    seen REAL NOT NULL
) WITHOUT ROWID;
"""

# One lookup answers both questions of a hit: what did this path hold last time, and is there a
# stored result for this path, these bytes and these options.
_LOOKUP = """
SELECT p.sha, r.blob FROM (SELECT ? AS path) AS q
LEFT JOIN paths AS p ON p.path = q.path
LEFT JOIN results AS r ON r.path = q.path AND r.key = ? AND r.sha = ?
"""


def records_fingerprint() -> str:
    """A short hash of every record type's field names, in order (part of the cache key).

    >>> len(records_fingerprint())
    8
    """
    names = []
    for cls in (records.DocumentResult, records.Document, records.Fact, records.Mention, records.Article):
        names.append(cls.__name__ + ":" + ",".join(f.name for f in fields(cls)))
    return hashlib.sha256("|".join(names).encode()).hexdigest()[:8]


def cache_key(options: Options) -> str:
    """The options part of a cache key: options, extractor version, record layout and rule tables."""
    from ..data import tables_fingerprint

    return f"{options.cache_key()}-{records_fingerprint()}-{tables_fingerprint()}"


def content_hash(data: bytes) -> str:
    """sha256 of the raw bytes, hex (the same digest as ``Document.sha256``).

    >>> content_hash(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def rebase(result: records.DocumentResult, path: str, source: str) -> records.DocumentResult:
    """Point a stored result at ``source`` (the input folder moved) and, if asked, a new ``path``.

    Rewrites ``Document.path``/``source``, every fact's ``doc`` and ``id`` and every mention's
    ``doc``; a no-op when the names already match. The engines only ever change ``source``
    (results are stored per path).
    """
    doc = result.document
    if doc.source != source:
        doc.source = source
    if doc.path == path:
        return result
    doc.path = path
    for fact in result.facts:
        fact.doc = path
        fact.id = f"{path}#{fact.start}-{fact.end}"
    for mention in result.mentions:
        mention.doc = path
    return result


@dataclass(slots=True)
class Lookup:
    """What the cache knows about one path and its current bytes."""

    previous_sha: str | None  #: the sha recorded for this path last time (None: new path)
    result: records.DocumentResult | None  #: the stored result for these bytes, or None (miss)
    status: str  #: ``added`` / ``changed`` / ``unchanged`` relative to the last run


@dataclass(slots=True)
class CacheDiff:
    """How the current inputs differ from what the cache saw last time."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


class Cache:
    """SQLite-backed store of per-document results, keyed on content hash + options.

    >>> import tempfile, os
    >>> from jinlong_extract.records import Document, DocumentResult
    >>> d = tempfile.mkdtemp()
    >>> with Cache(os.path.join(d, "c.sqlite"), Options()) as c:
    ...     sha = content_hash(b"abc")
    ...     c.put("a.txt", sha, 3, DocumentResult(Document(path="a.txt")))
    ...     c.lookup("a.txt", sha).result.document.path
    'a.txt'
    """

    def __init__(self, path: str, options: Options, *, commit_interval: float = 0.1) -> None:
        self.path = path
        self.key = cache_key(options)
        self.commit_interval = commit_interval
        self._buffer: list[tuple[str, str, int, Any]] = []
        self._written: set[str] = set()  # paths this instance stored while it started empty
        self._last_commit = time.monotonic()
        parent = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(parent, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per write.
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT v FROM meta WHERE k='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            elif row[0] != _SCHEMA_VERSION:
                raise JinlongError(path, f"cache schema {row[0]} is not {_SCHEMA_VERSION}; delete the file to rebuild it")
            # A cache with nothing in it (the first run into this folder) answers every lookup
            # "added, miss" without asking SQLite: the first run pays no lookup cost.
            self._fresh = self._db.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM paths) AND NOT EXISTS (SELECT 1 FROM results WHERE key=?)",
                (self.key,),
            ).fetchone()[0] == 1
        except sqlite3.DatabaseError as exc:
            raise JinlongError(path, f"cannot open the cache ({exc})") from None
        except OSError as exc:
            raise JinlongError(path, f"cannot create the cache ({exc.strerror})") from None

    # ---- context manager -------------------------------------------------------------------
    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Commit what :meth:`add` buffered and close the connection."""
        if self._db is not None:
            try:
                self.flush()
            finally:
                self._db.close()
            self._db = None  # type: ignore[assignment]

    # ---- reads -----------------------------------------------------------------------------
    def lookup(self, path: str, sha: str) -> Lookup:
        """One query: the sha last seen at ``path`` and the stored result for ``sha`` (or None).

        A stored blob that no longer unpickles counts as a miss.
        """
        if self._fresh and path not in self._written:
            return Lookup(None, None, "added")
        prev, blob = self._db.execute(_LOOKUP, (path, self.key, sha)).fetchone()
        result = None
        if blob is not None:
            try:
                result = unpack(pickle.loads(blob))
            except Exception:  # a blob from an incompatible build: recompute it
                result = None
        status = "added" if prev is None else ("unchanged" if prev == sha else "changed")
        return Lookup(prev, result, status)

    def get(self, path: str, sha: str) -> records.DocumentResult | None:
        """The stored result for ``path`` holding these bytes under the current options, or None."""
        row = self._db.execute(
            "SELECT blob FROM results WHERE path=? AND key=? AND sha=?", (path, self.key, sha)
        ).fetchone()
        if row is None:
            return None
        try:
            return unpack(pickle.loads(row[0]))
        except Exception:
            return None

    def known_sha(self, path: str) -> str | None:
        """The sha of the bytes the stored result for ``path`` (current options) was made from.

        The Dask engine sends this to the worker, which skips processing when the bytes it reads
        still hash to it (so only paths and hashes cross the network for unchanged files).
        """
        row = self._db.execute("SELECT sha FROM results WHERE path=? AND key=?", (path, self.key)).fetchone()
        return row[0] if row else None

    def paths(self) -> dict[str, str]:
        """Every recorded ``path -> sha``."""
        return dict(self._db.execute("SELECT path, sha FROM paths"))

    def get_meta(self, name: str) -> str | None:
        """A value stored with :meth:`set_meta` (e.g. ``last_run``: the last complete run's fingerprint)."""
        row = self._db.execute("SELECT v FROM meta WHERE k=?", (f"user:{name}",)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        """Store a small value in the cache (committed at once, with anything buffered)."""
        self.flush()
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"user:{name}", value))

    def __len__(self) -> int:
        """Number of stored results under the current options."""
        return self._db.execute("SELECT count(*) FROM results WHERE key=?", (self.key,)).fetchone()[0]

    def stale_paths(self, current_paths: Iterable[str]) -> list[str]:
        """Recorded paths that are not among ``current_paths`` (deleted or moved away), sorted."""
        current = set(current_paths)
        return sorted(p for (p,) in self._db.execute("SELECT path FROM paths") if p not in current)

    def diff(self, current: Mapping[str, str]) -> CacheDiff:
        """Compare ``current`` (``path -> sha``) with the recorded paths.

        >>> import tempfile, os
        >>> from jinlong_extract.records import Document, DocumentResult
        >>> c = Cache(os.path.join(tempfile.mkdtemp(), "c.sqlite"), Options())
        >>> c.put("a.txt", "1", 1, DocumentResult(Document(path="a.txt")))
        >>> c.put("b.txt", "2", 1, DocumentResult(Document(path="b.txt")))
        >>> d = c.diff({"a.txt": "1", "b.txt": "3", "c.txt": "4"})
        >>> d.unchanged, d.changed, d.added, d.deleted
        (['a.txt'], ['b.txt'], ['c.txt'], [])
        """
        known = self.paths()
        out = CacheDiff()
        for path, sha in current.items():
            prev = known.get(path)
            if prev is None:
                out.added.append(path)
            elif prev == sha:
                out.unchanged.append(path)
            else:
                out.changed.append(path)
        out.deleted = sorted(p for p in known if p not in current)
        for part in (out.added, out.changed, out.unchanged):
            part.sort()
        return out

    # ---- writes ----------------------------------------------------------------------------
    def add(self, path: str, sha: str, size: int, result: records.DocumentResult | Packed | bytes | None) -> None:
        """Store one finished document; committed with others once ``commit_interval`` has passed."""
        self._buffer.append((path, sha, size, result))
        if time.monotonic() - self._last_commit >= self.commit_interval:
            self.flush()

    def flush(self) -> None:
        """Commit everything :meth:`add` buffered."""
        if self._buffer:
            items, self._buffer = self._buffer, []
            self.put_many(items)
        self._last_commit = time.monotonic()

    def put(self, path: str, sha: str, size: int, result: records.DocumentResult | Packed | bytes | None) -> None:
        """Store one finished document and commit at once."""
        self.put_many([(path, sha, size, result)])

    def put_many(self, items: Iterable[tuple[str, str, int, records.DocumentResult | Packed | bytes | None]]) -> None:
        """Store finished documents in one transaction and commit.

        ``result`` is a ``DocumentResult``, its :func:`.serial.pack` tuple, or the pickled bytes
        of that tuple (:func:`.serial.dumps`, as the pool sends it back); ``None`` only records
        ``path -> sha``.
        """
        now = time.time()
        rows_r = []
        rows_p = []
        for path, sha, size, result in items:
            if result is not None:
                if isinstance(result, bytes):
                    blob = result
                else:
                    packed = result if isinstance(result, tuple) else pack(result)
                    blob = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
                rows_r.append((path, self.key, sha, now, blob))
            rows_p.append((path, sha, size, now))
            if self._fresh:  # the same str objects the caller holds: a few bytes each
                self._written.add(path)
        if not rows_p:
            return
        with self._transaction() as db:
            if rows_r:
                db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows_r)
            db.executemany("INSERT OR REPLACE INTO paths VALUES (?, ?, ?, ?)", rows_p)
        self._last_commit = time.monotonic()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed at the end, rolled back on any exception. An
        interruption (Ctrl-C, SIGTERM) may land just after COMMIT has run: then there is nothing
        to roll back, and the interruption, not a failed ROLLBACK, is what propagates."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")  # (an interruption just after it: rolled back too)
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def forget(self, paths: Iterable[str]) -> int:
        """Drop the ``paths`` records (e.g. the :meth:`stale_paths` after a full run)."""
        n = 0
        with self._transaction() as db:
            for p in paths:
                n += db.execute("DELETE FROM paths WHERE path=?", (p,)).rowcount
        return n

    def prune(self) -> int:
        """Delete stored results of forgotten paths, or made under other options."""
        with self._transaction() as db:
            return db.execute(
                "DELETE FROM results WHERE key != ? OR path NOT IN (SELECT path FROM paths)", (self.key,)
            ).rowcount

    def iter_results(self) -> Iterator[records.DocumentResult]:
        """Every stored result under the current options (any order)."""
        for (blob,) in self._db.execute("SELECT blob FROM results WHERE key=?", (self.key,)):
            yield unpack(pickle.loads(blob))
