"""The Dask engine gives the same results, in the same order, as the local engine.

Runs on an in-process ``LocalCluster`` (one worker, one thread, no processes), so it needs no
network and starts in about a second; workers read the files by path themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jinlong_extract.engine import Cache, RunStats, run_documents
from jinlong_extract.options import Options

from test_engine import CORPUS, _write_docs, fake_process

distributed = pytest.importorskip("distributed")

CALLS: list[str] = []


def counting_process(data, path, source="", options=None):
    CALLS.append(path)
    return fake_process(data, path, source, options)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    cl = distributed.Client(cluster)
    yield cl
    cl.close()
    cluster.close()


@pytest.mark.slow
@pytest.mark.parametrize("n_docs", [1, 7, 30])
def test_dask_equals_local(client, tmp_path: Path, n_docs: int) -> None:
    sources = _write_docs(tmp_path, n_docs)
    local = list(run_documents(sources, Options(), jobs=1, process=fake_process))
    dask = list(run_documents(sources, Options(), engine="dask", scheduler=client, process=fake_process))
    assert [r.document.path for r in dask] == [name for name, _ in sources]
    assert dask == local


@pytest.mark.slow
def test_dask_cache_hits_are_answered_without_processing(client, tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 12)
    db = str(tmp_path / "c.sqlite")
    CALLS.clear()
    first = list(run_documents(sources, Options(), engine="dask", scheduler=client, process=counting_process, cache_path=db))
    assert sorted(CALLS) == sorted(name for name, _ in sources)
    Path(sources[4][1]).write_text("签约77个项目。", encoding="utf-8")
    CALLS.clear()
    stats = RunStats()
    second = list(run_documents(sources, Options(), engine="dask", scheduler=client, process=counting_process,
                                cache_path=db, stats=stats))
    assert CALLS == ["doc_004.txt"]
    assert (stats.hits, stats.processed, stats.unchanged, stats.changed) == (11, 1, 11, 1)
    assert [f.text for f in second[4].facts] == ["77"]
    assert second[:4] == first[:4] and second[5:] == first[5:]
    # the local engine reads the same cache
    CALLS.clear()
    third = list(run_documents(sources, Options(), jobs=1, process=counting_process, cache_path=db))
    assert CALLS == [] and third == second
    with Cache(db, Options()) as c:
        assert len(c.paths()) == 12


@pytest.mark.slow
def test_dask_unreadable_source(client, tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 2) + [("missing.txt", str(tmp_path / "missing.txt"))]
    results = list(run_documents(sources, Options(), engine="dask", scheduler=client, process=fake_process,
                                 cache_path=str(tmp_path / "c.sqlite")))
    assert results[-1].document.skipped


@pytest.mark.slow
def test_dask_real_pipeline_equals_local(client) -> None:
    pipeline = pytest.importorskip("jinlong_extract.pipeline")
    sources = [(p.name, str(p)) for p in CORPUS]
    local = list(run_documents(sources, Options(), jobs=1, process=pipeline.process_document))
    dask = list(run_documents(sources, Options(), engine="dask", scheduler=client, process=pipeline.process_document))
    assert dask == local


@pytest.mark.slow
def test_dask_own_local_cluster_with_worker_processes(tmp_path: Path) -> None:
    """scheduler=None: the engine starts (and closes) a LocalCluster of ``jobs`` worker processes."""
    sources = _write_docs(tmp_path, 5)
    local = list(run_documents(sources, Options(), jobs=1, process=fake_process))
    dask = list(run_documents(sources, Options(), engine="dask", jobs=1, process=fake_process))
    assert dask == local


@pytest.mark.slow
def test_dask_workers_read_fsspec_urls(client) -> None:
    """Sources given as URLs are read by the workers themselves (memory:// is shared in-process)."""
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    sources = []
    for i in range(5):
        url = f"memory://jinlong-test/u{i}.txt"
        fs.pipe(url, f"签约{i + 10}个项目。".encode("utf-8"))
        sources.append((f"u{i}.txt", url))
    local = list(run_documents(sources, Options(), jobs=1, process=fake_process))
    dask = list(run_documents(sources, Options(), engine="dask", scheduler=client, process=fake_process))
    assert [[f.text for f in r.facts] for r in dask] == [[str(i + 10)] for i in range(5)]
    assert dask == local
    fs.rm("memory://jinlong-test", recursive=True)
