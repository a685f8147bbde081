"""Crawl manifests beside the articles, and corpus files that are not articles."""

from __future__ import annotations

import pytest

from jinlong_extract.ingest import discover, load_bytes
from jinlong_extract.ingest.manifest import is_corpus_file, manifest_entry


@pytest.mark.parametrize("name,skipped", [
    ("GOLD_SCHEMA.md", True), ("README.md", True), ("readme.txt", True), ("LICENSE.txt", True),
    ("d01.txt", False), ("000_5e0a7226a9ef9ce5.txt", False), ("schemas-of-aid.html", True),
])
def test_corpus_files(name, skipped):
    assert is_corpus_file(name) is skipped


def test_dev_folder_skips_the_schema_but_a_named_file_is_read():
    docs = [d for d, _ in discover(["tests/data/dev"])]
    assert "GOLD_SCHEMA.md" not in docs and len(docs) == 12
    assert [d for d, _ in discover(["tests/data/dev/GOLD_SCHEMA.md"])] == ["GOLD_SCHEMA.md"]


def test_dev_manifest_gives_url_and_date():
    e = manifest_entry("tests/data/dev/d03.txt")
    assert e.url.startswith("http://item.xjmsw.cn/") and e.date == "2016-08-30"
    assert manifest_entry("tests/data/dev/d04.txt").date is None  # no date in the manifest, none in the URL


def test_manifest_date_used_only_when_the_page_has_none(tmp_path):
    (tmp_path / "SOURCES.tsv").write_text(
        "file\turl\tdate\na.txt\thttp://x.cn/2019/05/06/a.html\t\nb.txt\thttp://x.cn/b\t2020-01-02\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("今年签约项目12个。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("天津日报  2023/04/19\n\n今年签约项目12个。", encoding="utf-8")
    a = load_bytes((tmp_path / "a.txt").read_bytes(), "a.txt", str(tmp_path / "a.txt"))
    b = load_bytes((tmp_path / "b.txt").read_bytes(), "b.txt", str(tmp_path / "b.txt"))
    assert (a.document.date, a.document.url) == ("2019-05-06", "http://x.cn/2019/05/06/a.html")
    assert b.document.date == "2023-04-19" and b.document.url == "http://x.cn/b"


def test_a_broken_manifest_is_ignored(tmp_path):
    (tmp_path / "SOURCES.tsv").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "a.txt").write_text("签约项目12个。", encoding="utf-8")
    assert load_bytes(b"x" + (tmp_path / "a.txt").read_bytes(), "a.txt", str(tmp_path / "a.txt")).document.url is None
