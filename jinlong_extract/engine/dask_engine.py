"""The Dask engine: the per-document stage on a ``dask.distributed`` cluster.

Only paths (local paths the workers can see, or fsspec URLs such as ``s3://bucket/key``) and
hashes cross the network: each worker reads its inputs itself, hashes the bytes and, when the
hash is the one the client's cache already holds a result for, answers "unchanged" without
processing. The cache stays on the client, in the output folder; results come back to the client,
are committed as each task finishes and are yielded in the order of the sources.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from .. import records
from ..options import Options
from .cache import Cache, content_hash, rebase
from .local import ProcessFn, RunStats, setup_engine
from .progress import Progress
from .reader import read_checked, skipped_result
from .serial import dumps, loads

#: Documents per Dask task: a task costs the scheduler ~1 ms, so a few documents per task keep
#: that overhead small while still spreading a small run over the workers.
_TASK_DOCS = 8
#: Tasks in flight per worker thread (bounded, so the client never holds 500k futures).
_TASKS_PER_THREAD = 4


class DaskEngine:
    """Runs the per-document stage on a Dask cluster.

    ``scheduler`` is an address (``tcp://host:8786``), an existing ``distributed.Client``, or None
    for a ``LocalCluster`` with ``jobs`` single-threaded worker processes (closed at the end).
    """

    def __init__(
        self,
        options: Options,
        *,
        scheduler: Any = None,
        jobs: int | None = None,
        cache: Cache | None = None,
        process: ProcessFn | None = None,
        progress: Progress | None = None,
        stats: RunStats | None = None,
    ) -> None:
        self.scheduler = scheduler
        setup_engine(self, options, jobs=jobs, cache=cache, process=process, progress=progress, stats=stats)

    def _client(self) -> tuple[Any, list[Any]]:
        """The client to use and what to close afterwards."""
        from distributed import Client, LocalCluster

        if isinstance(self.scheduler, Client):
            return self.scheduler, []
        if self.scheduler:
            client = Client(self.scheduler)
            return client, [client]
        cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
        return client, [client, cluster]

    def run(self, sources: Iterable[tuple[str, str]]) -> Iterator[records.DocumentResult]:
        """Yield one result per ``(relative_path, source)``, in the order given."""
        from distributed import as_completed

        t0 = time.perf_counter()
        client, to_close = self._client()
        try:
            threads = sum(client.nthreads().values()) or 1
            max_pending = _TASKS_PER_THREAD * threads
            pending: dict[Any, list[tuple[int, str, str]]] = {}
            ready: dict[int, tuple[records.DocumentResult, int, bool, str]] = {}
            ac = as_completed()
            task: list[tuple[int, str, str, str | None]] = []
            next_out = 0
            seen: set[str] = set()
            stats = self.stats

            def submit(items: list[tuple[int, str, str, str | None]]) -> None:
                fut = client.submit(_dask_task, items, self.options, self.process, pure=False)
                pending[fut] = [(i, rel, src) for i, rel, src, _ in items]
                ac.add(fut)

            def collect_one() -> None:
                fut = next(ac)
                items = pending.pop(fut)
                out = fut.result()  # re-raises the task's exception on the client
                redo = []
                to_store = []
                for (i, rel, src), (sha, size, status_hit, result) in zip(items, out):
                    stats.bytes += size
                    if status_hit:  # the worker read the same bytes as last time
                        cached = self.cache.get(rel, sha) if self.cache is not None else None
                        if cached is None:  # pruned meanwhile: process it after all
                            redo.append((i, rel, src, None))
                            continue
                        stats.unchanged += 1
                        ready[i] = (rebase(cached, rel, src), size, True, sha)
                        continue
                    if self.cache is not None and sha:
                        stats.note("changed" if rel in known_paths else "added")
                        to_store.append((rel, sha, size, result))
                    ready[i] = (loads(result), size, False, sha)
                if to_store:
                    self.cache.put_many(to_store)
                if redo:
                    submit(redo)

            known_paths: set[str] = set(self.cache.paths()) if self.cache is not None else set()

            def emit() -> Iterator[records.DocumentResult]:
                nonlocal next_out
                while next_out in ready:
                    result, size, hit, sha = ready.pop(next_out)
                    next_out += 1
                    if sha and not result.document.sha256:
                        result.document.sha256 = sha
                    stats.documents += 1
                    if hit:
                        stats.hits += 1
                    else:
                        stats.processed += 1
                    self.progress.advance(size)
                    yield result

            i = -1
            for i, (rel, src) in enumerate(sources):
                seen.add(rel)
                known = self.cache.known_sha(rel) if self.cache is not None else None
                task.append((i, rel, src, known))
                if len(task) >= _TASK_DOCS:
                    submit(task)
                    task = []
                while len(pending) >= max_pending:
                    collect_one()
                    yield from emit()
            if task:
                submit(task)
            while pending:
                collect_one()
                yield from emit()
            yield from emit()
            if self.cache is not None:
                stats.deleted = self.cache.stale_paths(seen)
        finally:
            self.stats.seconds = time.perf_counter() - t0
            for obj in to_close:
                try:
                    obj.close()
                except Exception:
                    pass


def _dask_task(
    items: list[tuple[int, str, str, str | None]], options: Options, process: ProcessFn
) -> list[tuple[str, int, bool, bytes | None]]:
    """Worker side: read, hash, and process unless the bytes hash to the client's known sha.

    Returns ``(sha, size, unchanged, serial.dumps(result))`` per item (None when unchanged).
    """
    out: list[tuple[str, int, bool, bytes | None]] = []
    for _i, rel, src, known in items:
        data, reason = read_checked(src, options.max_bytes)
        if data is None:
            out.append(("", 0, False, dumps(skipped_result(rel, src, reason or "unreadable"))))
            continue
        sha = content_hash(data)
        if known is not None and sha == known:
            out.append((sha, len(data), True, None))
            continue
        out.append((sha, len(data), False, dumps(process(data, rel, src, options))))
    return out
