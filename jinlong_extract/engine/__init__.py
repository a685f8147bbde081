"""Running the per-document stage over many files: process pool, Dask, incremental cache, progress.

The one entry point is :func:`run_documents`; :class:`LocalEngine`, :class:`DaskEngine` and
:class:`Cache` are there for callers that want the counters (:class:`RunStats`) or the cache
itself (``Cache.diff``, ``Cache.stale_paths``, ``Cache.prune``).

What scales how: the per-document work (read, decode, normalise, figures, entities) scales with
processes / Dask workers; cross-article reconciliation runs afterwards on the client over compact
keys; the cache lives in the output folder, on the client.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from .. import records
from ..options import DEFAULT_OPTIONS, Options
from .cache import CACHE_FILENAME, Cache, CacheDiff, cache_key, content_hash
from .local import LocalEngine, ProcessFn, RunStats, warm_up
from .progress import Progress

__all__ = [
    "CACHE_FILENAME",
    "Cache",
    "CacheDiff",
    "DaskEngine",
    "LocalEngine",
    "Progress",
    "RunStats",
    "cache_key",
    "content_hash",
    "default_cache_path",
    "run_documents",
    "unchanged_since_last_run",
    "warm_up",
]

#: Cache meta entry holding the fingerprint of the last complete run.
_LAST_RUN = "last_run"
#: Cache meta entry: the paths the last complete run skipped (JSON list), so that
#: :func:`unchanged_since_last_run` can rebuild its fingerprint without loading any result.
_LAST_SKIPPED = "last_run_skipped"

#: Engines :func:`run_documents` accepts.
ENGINES: tuple[str, ...] = ("local", "dask")


def default_cache_path(out_dir: str) -> str:
    """Where the cache lives for an output folder: ``<out_dir>/.jinlong-cache.sqlite``.

    >>> default_cache_path("output")
    'output/.jinlong-cache.sqlite'
    """
    return os.path.join(out_dir, CACHE_FILENAME)


def run_documents(
    sources: Iterable[tuple[str, str]],
    options: Options = DEFAULT_OPTIONS,
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: Any = None,
    cache_path: str | None = None,
    progress: bool = False,
    process: ProcessFn | None = None,
    stats: RunStats | None = None,
) -> Iterator[records.DocumentResult]:
    """Yield one ``DocumentResult`` per ``(relative_path, source)``, in the order of ``sources``.

    * ``jobs``: None = all cores; 1 = in this process, no pool.
    * ``engine``: ``"local"`` (process pool) or ``"dask"`` (``scheduler`` = ``tcp://host:8786``,
      a ``distributed.Client``, or None for a LocalCluster of ``jobs`` workers). Dask workers
      read inputs themselves by path or fsspec URL.
    * ``cache_path``: SQLite file; results are stored per path with the sha256 of the bytes and
      the options (incl. extractor version). Finished documents are committed per pool batch or
      every 0.1 s in one process, and on any interruption (see :mod:`.cache`), so an interrupted
      run keeps them.
    * ``progress``: a bar on stderr (files, MB/s, ETA), only when stderr is a terminal.
    * ``process``: the per-document function, default ``pipeline.process_document``.
    * ``stats``: a :class:`RunStats` to fill in (hits, added / changed / deleted paths, and a
      ``fingerprint`` of the inputs to compare with ``previous_fingerprint``, the last complete
      run's: equal means nothing changed, so that run's cross-document tables still hold).

    Raises ``JinlongError`` for an unusable cache file or an unknown engine; bad input files come
    back as skipped results, never as exceptions.

    >>> from jinlong_extract.records import Document, DocumentResult
    >>> def fake(data, path, source="", options=None):
    ...     return DocumentResult(Document(path=path, size=len(data or b"")))
    >>> [r.document.path for r in run_documents([("x.txt", __file__)], jobs=1, process=fake)]
    ['x.txt']
    """
    from ..errors import JinlongError

    if engine not in ENGINES:
        raise JinlongError(engine, f"unknown engine (choose one of {', '.join(ENGINES)})")
    cache = Cache(cache_path, options) if cache_path else None
    total = len(sources) if hasattr(sources, "__len__") else None  # type: ignore[arg-type]
    if total is not None and engine == "local":
        # no more workers than documents: each one costs a start-up and a warm-up
        jobs = max(1, min(jobs if jobs is not None else (os.cpu_count() or 1), total))
    stats = stats if stats is not None else RunStats()
    if cache is not None:
        stats.previous_fingerprint = cache.get_meta(_LAST_RUN)
    fp = hashlib.sha256(cache_key(options).encode())
    skipped: list[str] = []
    try:
        with Progress(progress, total=total) as bar:
            if engine == "dask":
                from .dask_engine import DaskEngine

                runner: Any = DaskEngine(
                    options, scheduler=scheduler, jobs=jobs, cache=cache, process=process, progress=bar, stats=stats
                )
            else:
                runner = LocalEngine(options, jobs=jobs, cache=cache, process=process, progress=bar, stats=stats)
            for result in runner.run(sources):
                doc = result.document
                fp.update(_fingerprint_line(doc.path, doc.sha256, doc.skipped))
                if doc.skipped:
                    skipped.append(doc.path)
                yield result
        stats.fingerprint = fp.hexdigest()
        stats.complete = True
        if cache is not None:
            cache.set_meta(_LAST_SKIPPED, json.dumps(skipped, ensure_ascii=False))
            cache.set_meta(_LAST_RUN, stats.fingerprint)
    finally:
        if cache is not None:
            cache.close()


def _fingerprint_line(path: str, sha: str, skipped: bool) -> bytes:
    return f"{path}\0{sha}\0{int(skipped)}\n".encode("utf-8", "surrogatepass")


def unchanged_since_last_run(sources: Iterable[tuple[str, str]], options: Options = DEFAULT_OPTIONS, *,
                             cache_path: str) -> str | None:
    """The last complete run's fingerprint if ``sources`` are exactly its inputs (same paths, in
    the same order, holding the same bytes) under the same options, else None.

    Reads and hashes every source but loads no stored result: a caller that kept that run's
    cross-document tables (see ``RunStats.previous_fingerprint``) can keep them without running
    anything. A file's skipped status is that of the last run when its bytes are the same
    (processing is deterministic under the same options); a file that cannot be read now is
    skipped. Stops at the first file whose bytes differ from the ones the cache last saw there.
    """
    if not os.path.exists(cache_path):
        return None
    from .reader import read_checked

    with Cache(cache_path, options) as cache:
        previous = cache.get_meta(_LAST_RUN)
        listed = cache.get_meta(_LAST_SKIPPED)
        if not previous or listed is None:
            return None
        skipped = set(json.loads(listed))
        known = cache.paths()
    fp = hashlib.sha256(cache_key(options).encode())
    for rel, src in sources:
        if src == "-":
            return None  # standard input cannot be compared without consuming it
        data, _ = read_checked(src, options.max_bytes)
        sha = content_hash(data) if data is not None else ""
        if data is not None and known.get(rel) != sha:
            return None
        fp.update(_fingerprint_line(rel, sha, data is None or rel in skipped))
    return previous if fp.hexdigest() == previous else None


def __getattr__(name: str) -> Any:
    if name == "DaskEngine":  # lazy: importing it must not import dask
        from .dask_engine import DaskEngine

        return DaskEngine
    raise AttributeError(name)
