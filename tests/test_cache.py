"""The incremental cache: hit / miss / changed / added / deleted, keys, rebasing, durability,
and the compact serialisation its blobs (and the pool's results) use.

Cases are runs over small files written to a temporary folder with the fake per-document
function of ``test_engine``; property tests check :class:`Cache` against a dict model and
``serial`` round trips on generated results.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract import data
from jinlong_extract.engine import Cache, RunStats, cache_key, content_hash, run_documents, serial
from jinlong_extract.engine.cache import rebase, records_fingerprint
from jinlong_extract.errors import JinlongError
from jinlong_extract.options import Options
from jinlong_extract.records import Article, Document, DocumentResult, Fact, Mention

from test_engine import _write_docs, fake_process

CALLS: list[str] = []


def counting_process(data, path, source="", options=None):
    CALLS.append(path)
    return fake_process(data, path, source, options)


def _run(sources, db, options=Options(), jobs=1):
    CALLS.clear()
    stats = RunStats()
    results = list(run_documents(sources, options, jobs=jobs, process=counting_process, cache_path=db, stats=stats))
    return results, stats, list(CALLS)


def test_first_run_misses_second_run_hits(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 4)
    db = str(tmp_path / "out" / ".jinlong-cache.sqlite")  # the output folder is created
    first, s1, calls1 = _run(sources, db)
    second, s2, calls2 = _run(sources, db)
    assert calls1 == [name for name, _ in sources] and calls2 == []
    assert first == second
    assert (s1.added, s1.changed, s1.unchanged, s1.hits) == (4, 0, 0, 0)
    assert (s2.added, s2.changed, s2.unchanged, s2.hits) == (0, 0, 4, 4)


@pytest.mark.parametrize("edit", ["change", "add", "delete", "rename"])
def test_rerun_after_edit(tmp_path: Path, edit: str) -> None:
    sources = _write_docs(tmp_path, 4)
    db = str(tmp_path / "c.sqlite")
    _run(sources, db)
    if edit == "change":
        Path(sources[1][1]).write_text("签约999个项目。", encoding="utf-8")
        results, stats, calls = _run(sources, db)
        assert calls == ["doc_001.txt"]
        assert (stats.changed, stats.unchanged, stats.added) == (1, 3, 0)
        assert [f.text for f in results[1].facts] == ["999"]
    elif edit == "add":
        new = tmp_path / "new.txt"
        new.write_text("新增12家企业。", encoding="utf-8")
        results, stats, calls = _run(sources + [("new.txt", str(new))], db)
        assert calls == ["new.txt"] and stats.added == 1 and stats.unchanged == 4
    elif edit == "delete":
        results, stats, calls = _run(sources[:3], db)
        assert calls == [] and stats.deleted == ["doc_003.txt"]
        with Cache(db, Options()) as c:
            assert c.stale_paths(name for name, _ in sources[:3]) == ["doc_003.txt"]
            assert c.forget(["doc_003.txt"]) == 1
            assert c.prune() == 1  # its result belongs to no recorded path
            assert c.stale_paths(name for name, _ in sources[:3]) == []
    else:  # same bytes under a new name: processed again (the output depends on the path)
        old = Path(sources[2][1])
        moved = tmp_path / "moved.txt"
        old.rename(moved)
        renamed = sources[:2] + [("moved.txt", str(moved))] + sources[3:]
        results, stats, calls = _run(renamed, db)
        assert calls == ["moved.txt"] and stats.hits == 3 and stats.added == 1
        assert results[2].document.path == "moved.txt"
        assert all(f.doc == "moved.txt" and f.id.startswith("moved.txt#") for f in results[2].facts)
        assert stats.deleted == ["doc_002.txt"]


def test_moved_input_folder_hits_with_new_source(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    sources = _write_docs(a, 3)
    db = str(tmp_path / "c.sqlite")
    _run(sources, db)
    a.rename(b)
    moved = [(name, str(b / name)) for name, _ in sources]
    results, stats, calls = _run(moved, db)
    assert calls == [] and stats.hits == 3
    assert [r.document.source for r in results] == [src for _, src in moved]


def test_file_changed_back_under_earlier_options(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 1)
    p = Path(sources[0][1])
    original = p.read_bytes()
    db = str(tmp_path / "c.sqlite")
    _run(sources, db)  # options A, bytes 1
    p.write_text("签约5个项目。", encoding="utf-8")
    _run(sources, db, options=Options(entities=False))  # options B, bytes 2
    p.write_bytes(original)
    _, stats, calls = _run(sources, db)  # options A, bytes 1 again: its result is still there
    assert calls == [] and stats.changed == 1
    with Cache(db, Options()) as c:
        assert c.paths() == {"doc_000.txt": content_hash(original)}


@pytest.mark.parametrize(
    "other",
    [
        Options(entities=False),
        Options(kinds=("money",)),
        Options(default_date="2024-07-19"),
        Options(user_terms=("金龙集团",)),
    ],
)
def test_other_options_miss(tmp_path: Path, other: Options) -> None:
    sources = _write_docs(tmp_path, 2)
    db = str(tmp_path / "c.sqlite")
    _run(sources, db)
    _, stats, calls = _run(sources, db, options=other)
    assert len(calls) == 2 and stats.hits == 0
    _, stats, calls = _run(sources, db)  # the first options' results are still there
    assert calls == [] and stats.hits == 2


def test_key_covers_version_record_layout_and_rule_tables() -> None:
    key = cache_key(Options())
    assert key == f"{Options().cache_key()}-{records_fingerprint()}-{data.tables_fingerprint()}"
    assert cache_key(Options(to_simplified=False)) != key


def test_an_edited_rule_table_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules are data: results made under other tables are not reused."""
    tables = tmp_path / "tables"
    shutil.copytree(data.data_path(""), tables, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(data, "data_path", lambda name: str(tables / name))
    data.tables_fingerprint.cache_clear()
    sources = _write_docs(tmp_path, 2)
    db = str(tmp_path / "c.sqlite")
    try:
        _run(sources, db)
        _, stats, calls = _run(sources, db)
        assert calls == [] and stats.hits == 2
        metrics = tables / "metrics.toml"
        metrics.write_text(metrics.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        data.tables_fingerprint.cache_clear()
        _, stats, calls = _run(sources, db)
        assert len(calls) == 2 and stats.hits == 0
    finally:
        data.tables_fingerprint.cache_clear()  # (the shipped tables again, for later tests)


def test_pool_writes_the_same_cache(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 30)
    db = str(tmp_path / "c.sqlite")
    first, _, _ = _run(sources, db, jobs=2)
    second, stats, calls = _run(sources, db, jobs=1)
    assert calls == [] and stats.hits == 30 and first == second


def test_content_hash_is_the_document_sha256() -> None:
    import hashlib

    data = "產(chǎn)品1400余萬元".encode("utf-8")
    assert content_hash(data) == hashlib.sha256(data).hexdigest()


def test_rebase_rewrites_ids_and_mentions() -> None:
    fact = Fact("a.txt", 0, 3, 7, "12亿元", "money", 1.2e9, 1.2e9, 1.2e9, "exact", "元", "CNY",
                None, None, None, None, None, None, False, "")
    men = Mention("a.txt", 0, 0, 2, "天津", "LOC")
    res = DocumentResult(Document(path="a.txt", source="/x/a.txt"), facts=[fact], mentions=[men])
    out = rebase(res, "b/b.txt", "/y/b/b.txt")
    assert out.document.path == "b/b.txt" and out.document.source == "/y/b/b.txt"
    assert (fact.doc, fact.id, men.doc) == ("b/b.txt", "b/b.txt#3-7", "b/b.txt")


@pytest.mark.parametrize(
    "content, message",  # a file that happens to sit where the cache goes
    [
        (b"this is not a database, just text " * 200, "cannot open the cache"),
    ],
)
def test_unusable_cache_file_raises_one_line_error(tmp_path: Path, content: bytes, message: str) -> None:
    db = tmp_path / "c.sqlite"
    db.write_bytes(content)
    with pytest.raises(JinlongError, match=message) as err:
        Cache(str(db), Options())
    assert "\n" not in str(err.value) and str(db) in str(err.value)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    Cache(db, Options()).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET v='99' WHERE k='schema'")
    con.commit()
    con.close()
    with pytest.raises(JinlongError, match="schema 99"):
        Cache(db, Options())


def test_corrupt_blob_is_a_miss(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 1)
    db = str(tmp_path / "c.sqlite")
    _run(sources, db)
    con = sqlite3.connect(db)
    con.execute("UPDATE results SET blob = x'00010203'")
    con.commit()
    con.close()
    results, stats, calls = _run(sources, db)
    assert calls == ["doc_000.txt"] and results[0].facts


def test_wal_mode(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    Cache(db, Options()).close()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# ---- property: the cache behaves like a dict --------------------------------------------------

_paths = st.sampled_from(["a.txt", "b.txt", "dir/c.txt", "新闻/d.txt"])
_shas = st.sampled_from(["s1", "s2", "s3"])
_ops = st.lists(st.tuples(st.sampled_from(["put", "lookup", "forget"]), _paths, _shas), max_size=20)


@settings(max_examples=30, deadline=None)
@given(_ops)
def test_cache_matches_a_dict_model(tmp_path_factory: pytest.TempPathFactory, ops) -> None:
    db = str(tmp_path_factory.mktemp("prop") / "c.sqlite")
    path_sha: dict[str, str] = {}
    stored: dict[str, str] = {}  # path -> sha of its stored result
    with Cache(db, Options()) as c:
        for op, path, sha in ops:
            if op == "put":
                c.put(path, sha, 1, DocumentResult(Document(path=path, sha256=sha)))
                path_sha[path] = sha
                stored[path] = sha
            elif op == "forget":
                c.forget([path])
                path_sha.pop(path, None)
            else:
                look = c.lookup(path, sha)
                assert look.previous_sha == path_sha.get(path)
                assert (look.result is not None) == (stored.get(path) == sha)
                if look.result is not None:
                    assert look.result.document.sha256 == sha
                expected = "added" if path not in path_sha else ("unchanged" if path_sha[path] == sha else "changed")
                assert look.status == expected
        assert c.paths() == path_sha
        assert len(c) == len(stored)
        assert c.diff(dict(path_sha)).unchanged == sorted(path_sha)


# ---- buffered commits ------------------------------------------------------------------------

def test_add_buffers_until_interval_and_close_commits(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    c = Cache(db, Options(), commit_interval=3600)
    c.add("a.txt", "s1", 1, DocumentResult(Document(path="a.txt")))
    with Cache(db, Options()) as other:  # another connection sees nothing yet
        assert other.paths() == {}
    c.close()  # Ctrl-C / exceptions / early stop all end here
    with Cache(db, Options()) as other:
        assert other.paths() == {"a.txt": "s1"}


def test_add_commits_once_interval_passed(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    c = Cache(db, Options(), commit_interval=0.0)
    c.add("a.txt", "s1", 1, DocumentResult(Document(path="a.txt")))
    with Cache(db, Options()) as other:
        assert other.get("a.txt", "s1") is not None
    c.close()


# ---- serialisation ---------------------------------------------------------------------------

_text = st.text(alphabet="天津市签约112个项目投资149.53亿元%(chǎn)\n ", max_size=12)
_opt_float = st.none() | st.floats(allow_nan=False)
_facts = st.builds(
    Fact, doc=_text, article=st.integers(0, 5), start=st.integers(0, 10**6), end=st.integers(0, 10**6), text=_text,
    kind=st.sampled_from(["money", "count", "percent", "quantity"]), value=_opt_float, low=_opt_float,
    high=_opt_float, qualifier=st.sampled_from(["exact", "approx", "min", "max", "range"]), unit=st.none() | _text,
    currency=st.none() | st.just("CNY"), object=st.none() | _text, metric=st.none() | _text,
    subject=st.none() | _text, year=st.none() | st.integers(1990, 2030), period_start=st.none() | st.integers(1990, 2030),
    period_end=st.none() | st.integers(1990, 2030), cumulative=st.booleans(), sentence=_text,
    date=st.none() | st.just("2024-07-19"), subject_ids=st.lists(_text, max_size=2), year_source=st.none() | _text,
)
_mentions = st.builds(Mention, doc=_text, article=st.integers(0, 3), start=st.integers(0, 999), end=st.integers(0, 999),
                      text=_text, type=st.sampled_from(["ORG", "LOC", "PER", "EVENT"]), canonical=st.none() | _text)
_articles = st.builds(Article, index=st.integers(0, 3), start=st.integers(0, 999), end=st.integers(0, 999),
                      headline=st.none() | _text,
                      boilerplate=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99)), max_size=3))
_results = st.builds(
    DocumentResult,
    document=st.builds(Document, path=_text, errors=st.lists(_text, max_size=2), skipped=st.booleans(),
                       size=st.integers(0, 10**7)),
    facts=st.lists(_facts, max_size=4), mentions=st.lists(_mentions, max_size=3),
    article_meta=st.lists(_articles, max_size=2), fingerprint=st.lists(st.integers(0, 2**63), max_size=5),
)


@settings(max_examples=80, deadline=None)
@given(_results)
def test_serial_round_trip(result: DocumentResult) -> None:
    assert serial.loads(serial.dumps(result)) == result
    assert serial.unpack(serial.pack(result)) == result


# ---- run fingerprints ------------------------------------------------------------------------

def test_fingerprint_tells_an_unchanged_rerun(tmp_path: Path) -> None:
    sources = _write_docs(tmp_path, 4)
    db = str(tmp_path / "c.sqlite")
    _, first, _ = _run(sources, db)
    assert first.complete and first.previous_fingerprint is None and len(first.fingerprint) == 64
    _, second, _ = _run(sources, db)
    assert second.previous_fingerprint == second.fingerprint == first.fingerprint
    Path(sources[0][1]).write_text("签约8个项目。", encoding="utf-8")
    _, third, _ = _run(sources, db)
    assert third.previous_fingerprint == first.fingerprint != third.fingerprint
    _, fourth, _ = _run(sources[1:], db)  # a deleted file changes it too
    assert fourth.fingerprint != third.fingerprint
    _, fifth, _ = _run(sources[1:], db, options=Options(entities=False))  # and other options
    assert fifth.fingerprint != fourth.fingerprint


def test_interrupted_run_does_not_record_its_fingerprint(tmp_path: Path) -> None:
    from test_engine import interrupting_process

    sources = _write_docs(tmp_path, 8)
    db = str(tmp_path / "c.sqlite")
    _, first, _ = _run(sources, db)
    stats = RunStats()
    with pytest.raises(KeyboardInterrupt):
        list(run_documents(sources, Options(entities=False), jobs=1, process=interrupting_process,
                           cache_path=db, stats=stats))
    assert not stats.complete
    _, again, _ = _run(sources, db)
    assert again.previous_fingerprint == first.fingerprint


class _InterruptAfter:
    """A connection that raises KeyboardInterrupt (as a Ctrl-C or SIGTERM handler does) right
    after it has run a given statement."""

    def __init__(self, db, statement: str) -> None:
        self.db, self.statement = db, statement

    def execute(self, sql, *args):
        cur = self.db.execute(sql, *args)
        if sql == self.statement:
            raise KeyboardInterrupt
        return cur

    def executemany(self, sql, rows):
        cur = self.db.executemany(sql, rows)
        if sql.startswith(self.statement):
            raise KeyboardInterrupt
        return cur

    def __getattr__(self, name):
        return getattr(self.db, name)


@pytest.mark.parametrize("statement,kept", [
    ("COMMIT", True),  # the signal lands once the commit is done: the documents are kept
    ("INSERT OR REPLACE INTO paths", False),  # before it: rolled back, nothing half-written
    ("BEGIN IMMEDIATE", False),  # (no transaction is left open either)
])
def test_an_interruption_inside_a_write_propagates_as_itself(tmp_path: Path, statement: str, kept: bool) -> None:
    cache = Cache(str(tmp_path / "c.sqlite"), Options())
    real = cache._db
    cache._db = _InterruptAfter(real, statement)
    with pytest.raises(KeyboardInterrupt):  # not sqlite3's "cannot rollback - no transaction is active"
        cache.put_many([("a.txt", "0" * 64, 3, DocumentResult(Document("a.txt")))])
    cache._db = real
    assert not real.in_transaction
    assert (cache.lookup("a.txt", "0" * 64).result is not None) is kept
    cache.close()
