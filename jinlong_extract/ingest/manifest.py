"""Corpus furniture: crawl manifests beside the articles, and files that are not articles.

A folder of saved pages often carries a manifest written by the crawler (``SOURCES.tsv``: file,
url, title, date …). When a page does not state its publication date, the manifest's date — or a
date in the manifest's URL — is the next best evidence, and the URL belongs in the documents
table. Names and accepted columns live in ``data/ingest.toml`` (``[manifest]``, ``[discover]``).
"""

from __future__ import annotations

import csv
import fnmatch
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from jinlong_extract.data import load_table
from jinlong_extract.ingest.dates import date_from_url


@dataclass(frozen=True, slots=True)
class Entry:
    url: str | None
    date: str | None


def is_corpus_file(name: str) -> bool:
    """True for a README, schema or licence met while walking a folder (not an article).

    >>> is_corpus_file("GOLD_SCHEMA.md"), is_corpus_file("README.md"), is_corpus_file("d01.txt")
    (True, True, False)
    """
    return _skip_names().match(os.path.splitext(name)[0].lower()) is not None


@lru_cache(maxsize=1)
def _skip_names() -> re.Pattern[str]:
    """The ``skip_names`` globs as one pattern (a walk of a big archive asks once per file)."""
    return re.compile("|".join(fnmatch.translate(p) for p in load_table("ingest")["discover"]["skip_names"]))


def manifest_entry(path: str) -> Entry | None:
    """The manifest row for the file at ``path``, if its folder has a manifest naming it."""
    folder, name = os.path.split(os.path.abspath(path))
    return _manifest(folder, _mtime(folder)).get(name)


def _mtime(folder: str) -> float:
    try:
        return os.stat(folder).st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=256)
def _manifest(folder: str, _mtime_key: float) -> dict[str, Entry]:
    rules = load_table("ingest")["manifest"]
    for name in rules["names"]:
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            try:
                return _read(p, rules)
            except (OSError, UnicodeDecodeError, csv.Error):
                return {}  # a broken manifest is no manifest: the pages still carry their own dates
    return {}


def _pick(header: list[str], names: list[str]) -> int | None:
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def _read(path: str, rules: dict) -> dict[str, Entry]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        rows = list(csv.reader(fh, delimiter="\t" if "\t" in sample else ","))
    if not rows:
        return {}
    header, body = rows[0], rows[1:]
    fi = _pick(header, rules["file_columns"])
    if fi is None:
        return {}
    ui = _pick(header, rules["url_columns"])
    di = _pick(header, rules["date_columns"])
    out: dict[str, Entry] = {}
    for row in body:
        if len(row) <= fi or not row[fi].strip():
            continue
        url = row[ui].strip() if ui is not None and ui < len(row) and row[ui].strip() else None
        date = _iso(row[di]) if di is not None and di < len(row) else None
        out[os.path.basename(row[fi].strip())] = Entry(url, date or (date_from_url(url) if url else None))
    return out


def _iso(value: str) -> str | None:
    """A manifest date as ISO ``YYYY-MM-DD`` (accepts 2016-08-30, 2016/8/30, 20160830)."""
    v = value.strip()
    digits = [p for p in v.replace("/", "-").replace(".", "-").split("-") if p]
    if len(digits) == 1 and len(v) == 8 and v.isdigit():
        digits = [v[:4], v[4:6], v[6:]]
    if len(digits) != 3 or not all(d.isdigit() for d in digits):
        return None
    y, m, d = (int(x) for x in digits)
    if not (1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"
