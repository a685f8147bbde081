"""The local engine: in-process for one job, a bounded process pool for more.

The main process reads each source's bytes (one sequential read), hashes them and asks the cache;
hits are answered at once, misses are grouped into small batches and sent to the pool. Results
come back in any order, are committed to the cache as soon as their batch finishes, and are
yielded in the order of the sources. At most ``3 * jobs`` batches and ``_MAX_AHEAD`` documents are
in flight, so memory stays flat however many files there are.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .. import records
from ..options import Options
from .cache import Cache, content_hash, rebase
from .progress import Progress
from .reader import read_checked, skipped_result
from .serial import dumps, loads

#: ``process(data, path, source, options) -> DocumentResult`` (``pipeline.process_document``).
ProcessFn = Callable[..., records.DocumentResult]

#: A batch is closed at this many documents or bytes (whichever first). About 50 ms of work at
#: 5 MB/s: big enough that the pool's per-task cost (~0.2 ms) is noise, small enough that an
#: interrupted run loses little and the first results come back quickly.
_BATCH_DOCS = 32
_BATCH_BYTES = 256 * 1024
#: Batches in flight per worker (one running, two queued so workers never idle).
_BATCHES_PER_JOB = 3
#: Documents read ahead of the one to yield next (bounds buffered hits behind a slow document).
_MAX_AHEAD = 512
#: On interruption, how long to wait for batches already running so their work is kept.
_GRACE_SECONDS = 2.0

#: Text the workers process once at start-up so rule tables, regexes, OpenCC and jieba are
#: loaded before the first real document (figures, a place, a company, a date).
WARM_UP_TEXT = (
    "2024年07月19日 天津市与甘肃省武威市签约112个项目，投资149.53亿元，"
    "天津安捷物联科技股份有限公司新增就业1400余人，同比增长21%，种植面积超3万亩。"
)


@dataclass(slots=True)
class RunStats:
    """Counters of one run (filled in while results are yielded)."""

    documents: int = 0  #: results yielded
    processed: int = 0  #: documents actually run through the pipeline
    hits: int = 0  #: documents answered from the cache
    added: int = 0  #: paths the cache had not seen
    changed: int = 0  #: paths whose bytes changed since the last run
    unchanged: int = 0  #: paths whose bytes are the same as last run
    bytes: int = 0  #: raw bytes read
    seconds: float = 0.0  #: wall time of the run
    #: paths recorded in the cache but absent from this run (filled when the run completes)
    deleted: list[str] = field(default_factory=list)
    #: every source was yielded (not interrupted, not stopped early)
    complete: bool = False
    #: sha256 over the options key and every ``(path, sha256 of the bytes, skipped)`` in order
    fingerprint: str = ""
    #: the fingerprint of the last complete run recorded in the cache (None: none or no cache).
    #: Equal to ``fingerprint`` means the same inputs under the same options as that run: a
    #: caller may keep that run's cross-document tables instead of recomputing them.
    previous_fingerprint: str | None = None

    def note(self, status: str) -> None:
        if status == "added":
            self.added += 1
        elif status == "changed":
            self.changed += 1
        else:
            self.unchanged += 1


def default_process() -> ProcessFn:
    """``jinlong_extract.pipeline.process_document`` (imported lazily)."""
    from ..pipeline import process_document

    return process_document


def setup_engine(engine: Any, options: Options, *, jobs: int | None, cache: Cache | None,
                 process: ProcessFn | None, progress: Progress | None, stats: RunStats | None) -> None:
    """The settings every engine keeps (local pool and Dask alike)."""
    engine.options = options
    engine.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    engine.cache = cache
    engine.process = process or default_process()
    engine.progress = progress or Progress(False)
    engine.stats = stats if stats is not None else RunStats()


class LocalEngine:
    """Runs the per-document stage on this machine.

    >>> from jinlong_extract.records import Document, DocumentResult
    >>> def fake(data, path, source="", options=None):
    ...     return DocumentResult(Document(path=path, size=len(data or b"")))
    >>> eng = LocalEngine(Options(), jobs=1, process=fake)
    >>> [r.document.path for r in eng.run([("a.txt", __file__)])]
    ['a.txt']
    """

    def __init__(
        self,
        options: Options,
        *,
        jobs: int | None = None,
        cache: Cache | None = None,
        process: ProcessFn | None = None,
        progress: Progress | None = None,
        stats: RunStats | None = None,
    ) -> None:
        setup_engine(self, options, jobs=jobs, cache=cache, process=process, progress=progress, stats=stats)

    # ---- shared steps ----------------------------------------------------------------------
    def _read(self, rel: str, src: str) -> tuple[bytes | None, str | None, records.DocumentResult | None]:
        """Read and hash one source; return ``(data, sha, ready result or None)``.

        The ready result is a cache hit, or the skipped result of an unreadable source.
        """
        data, reason = read_checked(src, self.options.max_bytes)
        if data is None:
            return None, None, skipped_result(rel, src, reason or "unreadable")
        self.stats.bytes += len(data)
        sha = content_hash(data)  # ~1 GB/s; also stamps Document.sha256 and the run fingerprint
        if self.cache is None:
            return data, sha, None
        look = self.cache.lookup(rel, sha)
        self.stats.note(look.status)
        if look.result is None:
            return data, sha, None
        if look.status != "unchanged":  # a result made under these options from these bytes,
            self.cache.add(rel, sha, len(data), None)  # though the path held others since: record it
        return data, sha, rebase(look.result, rel, src)

    def _finish(self, result: records.DocumentResult, nbytes: int, hit: bool, sha: str | None) -> records.DocumentResult:
        if sha and not result.document.sha256:  # Document.sha256 is the hash of the raw bytes
            result.document.sha256 = sha
        self.stats.documents += 1
        if hit:
            self.stats.hits += 1
        else:
            self.stats.processed += 1
        self.progress.advance(nbytes)
        return result

    def _complete(self, seen: set[str]) -> None:
        if self.cache is not None:
            self.stats.deleted = self.cache.stale_paths(seen)

    # ---- public ----------------------------------------------------------------------------
    def run(self, sources: Iterable[tuple[str, str]]) -> Iterator[records.DocumentResult]:
        """Yield one result per ``(relative_path, source)``, in the order given."""
        t0 = time.perf_counter()
        try:
            if self.jobs == 1:
                yield from self._run_inline(sources)
            else:
                yield from self._run_pool(sources)
        finally:
            self.stats.seconds = time.perf_counter() - t0

    def _run_inline(self, sources: Iterable[tuple[str, str]]) -> Iterator[records.DocumentResult]:
        seen: set[str] = set()
        for rel, src in sources:
            seen.add(rel)
            data, sha, ready = self._read(rel, src)
            nbytes = len(data) if data is not None else 0
            if ready is not None:
                yield self._finish(ready, nbytes, data is not None, sha)
                continue
            result = self.process(data, rel, src, self.options)
            if sha is not None and self.cache is not None:
                self.cache.add(rel, sha, nbytes, result)  # committed every commit_interval
            yield self._finish(result, nbytes, False, sha)
        self._complete(seen)

    def _run_pool(self, sources: Iterable[tuple[str, str]]) -> Iterator[records.DocumentResult]:
        import multiprocessing

        executor = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context(),
            initializer=_init_worker,
            initargs=(self.process, self.options),
        )
        ready: dict[int, tuple[records.DocumentResult, int, bool, str | None]] = {}
        # future -> [(index, rel, sha, nbytes)] of the batch it runs
        pending: dict[Future, list[tuple[int, str, str | None, int]]] = {}
        batch: list[tuple[int, str, str, bytes | None]] = []
        meta: list[tuple[int, str, str | None, int]] = []
        batch_bytes = 0
        batch_cap = 1  # grows 1, 2, 4 … up to _BATCH_DOCS, so small runs still spread over workers
        next_out = 0
        seen: set[str] = set()
        max_pending = _BATCHES_PER_JOB * self.jobs

        def flush() -> None:
            nonlocal batch, meta, batch_bytes, batch_cap
            if batch:
                pending[executor.submit(_run_batch, batch)] = meta
                batch, meta, batch_bytes = [], [], 0
                batch_cap = min(batch_cap * 2, _BATCH_DOCS)

        def collect(futures: Iterable[Future]) -> None:
            """Commit finished batches to the cache and park their results for ordered output."""
            for fut in futures:
                metas = pending.pop(fut)
                done, exc = fut.result()
                by_index = dict(done)
                to_store = []
                for i, rel, sha, nbytes in metas:
                    if i in by_index:
                        ready[i] = (loads(by_index[i]), nbytes, False, sha)
                        if sha is not None:
                            to_store.append((rel, sha, nbytes, by_index[i]))
                if to_store and self.cache is not None:
                    self.cache.put_many(to_store)
                if exc is not None:
                    raise exc

        def drain(block: bool) -> Iterator[records.DocumentResult]:
            nonlocal next_out
            if block and next_out not in ready:
                flush()
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                collect(done)
            else:
                collect([f for f in pending if f.done()])
            while next_out in ready:
                result, nbytes, hit, sha = ready.pop(next_out)
                next_out += 1
                yield self._finish(result, nbytes, hit, sha)

        completed = False
        try:
            i = -1
            for i, (rel, src) in enumerate(sources):
                seen.add(rel)
                data, sha, done = self._read(rel, src)
                nbytes = len(data) if data is not None else 0
                if done is not None:
                    ready[i] = (done, nbytes, data is not None, sha)
                else:
                    batch.append((i, rel, src, data))
                    meta.append((i, rel, sha, nbytes))
                    batch_bytes += nbytes
                    if len(batch) >= batch_cap or batch_bytes >= _BATCH_BYTES:
                        flush()
                yield from drain(False)
                # bounded: wait while too many batches or documents are in flight
                while len(pending) >= max_pending or (i + 1 - next_out) >= _MAX_AHEAD:
                    if not pending and not batch:
                        break
                    yield from drain(True)
            flush()
            while next_out <= i:
                yield from drain(True)
            self._complete(seen)
            completed = True
        finally:
            # Interrupted (Ctrl-C, an exception, the consumer stopped): drop the queued batches,
            # give the running ones (~50 ms of work each) a short grace, keep whatever finished.
            try:
                if not completed and pending:
                    for fut in pending:
                        fut.cancel()  # only succeeds for batches no worker has taken yet
                    wait([f for f in pending if not f.cancelled()], timeout=_GRACE_SECONDS)
                finished = [f for f in pending if f.done() and not f.cancelled() and f.exception() is None]
                for fut in finished:
                    metas = pending.pop(fut)
                    done, _ = fut.result()
                    by_index = dict(done)
                    to_store = [(rel, sha, n, by_index[i]) for i, rel, sha, n in metas if i in by_index and sha]
                    if to_store and self.cache is not None:
                        self.cache.put_many(to_store)
            finally:
                # a complete run joins its (idle) workers, so their resource usage is accounted
                # to this process; an interrupted one does not wait for queued work
                executor.shutdown(wait=completed, cancel_futures=not completed)


# ---- worker side ---------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(process: ProcessFn, options: Options) -> None:
    """Pool initializer: ignore Ctrl-C (the parent handles it), die with the parent, warm up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (a forked worker inherits the CLI's handler)
    if sys.platform.startswith("linux"):
        try:  # PR_SET_PDEATHSIG: a kill -9'd parent must not leave workers waiting forever
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
        except Exception:
            pass
    _WORKER["process"] = process
    _WORKER["options"] = options
    warm_up(process, options)
    # the rule tables, automata and regexes loaded by the warm-up live as long as the worker:
    # keep the garbage collector from scanning them again after every few thousand allocations
    gc.freeze()


def warm_up(process: ProcessFn, options: Options) -> None:
    """Run ``process`` once on :data:`WARM_UP_TEXT` so every table and regex is loaded."""
    try:
        process(WARM_UP_TEXT.encode("utf-8"), "<warm-up>", "", options)
    except Exception:
        pass  # a failing warm-up only costs time; the real documents report their own errors


def _run_batch(
    batch: list[tuple[int, str, str, bytes | None]],
) -> tuple[list[tuple[int, bytes]], BaseException | None]:
    """Process a batch; on an exception return what finished before it with the exception.

    Results travel as :func:`.serial.dumps` bytes (five times cheaper than pickling the
    dataclasses); the parent stores those very bytes in the cache and unpacks them once.
    """
    process = _WORKER["process"]
    options = _WORKER["options"]
    out: list[tuple[int, bytes]] = []
    for i, rel, src, data in batch:
        try:
            out.append((i, dumps(process(data, rel, src, options))))
        except BaseException as exc:  # noqa: BLE001 - handed back to the parent, which re-raises
            return out, _picklable(exc)
    return out, None


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
