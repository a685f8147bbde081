"""Ingest: discover files, read bytes, decode, strip HTML, normalise, split into articles.

>>> loaded = load_text("天津日报  2023/04/19\\n\\n签约112个项目,投资额达149.53億(yì)元。", "a.txt")
>>> loaded.document.date, loaded.text.text.splitlines()[-1]
('2023-04-19', '签约112个项目,投资额达149.53亿元。')
"""

from __future__ import annotations

import glob
import hashlib
from bisect import bisect_left
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from jinlong_extract import records
from jinlong_extract.errors import InputError
from jinlong_extract.ingest.articles import split_articles
from jinlong_extract.ingest.manifest import is_corpus_file, manifest_entry
from jinlong_extract.ingest.dates import date_from_html, date_from_url, find_publication_date
from jinlong_extract.ingest.decode import check_text, decode_bytes
from jinlong_extract.ingest.htmltext import looks_like_html, strip_html
from jinlong_extract.normalize import TextMap, detect_script, find_boilerplate, merge_ranges, normalize
from jinlong_extract.options import DEFAULT_OPTIONS, MAX_FILE_BYTES, MAX_LINE_CHARS, Options

__all__ = [
    "Loaded",
    "discover",
    "find_publication_date",
    "load_bytes",
    "load_text",
    "read_source",
]

#: file extensions picked up when a folder is given
EXTENSIONS = (".txt", ".md", ".html", ".htm")
_HTML_EXT = (".html", ".htm")


@dataclass
class Loaded:
    """A decoded, normalised document split into articles."""

    document: records.Document  #: path, source, encoding, script, date, articles, size, sha256
    text: TextMap  #: whole-document normalised text (``text.original`` is the decoded file)
    articles: list[records.Article]  #: offsets into ``text.text`` and into the original


def _is_url(p: str) -> bool:
    return "://" in p


def discover(paths: list[str]) -> Iterator[tuple[str, str]]:
    """Yield ``(doc, source)`` for every input: ``doc`` is the name for the ``doc`` column
    (path relative to the folder given, or the file's name), ``source`` what to read.

    Folders are walked recursively in sorted order, keeping ``.txt .md .html .htm`` and
    skipping hidden files and folders; globs are expanded (sorted); ``-`` is stdin; URLs are
    passed through. A path that does not exist is yielded anyway (as given) so that
    :func:`read_source` reports it with the other unreadable files instead of stopping the run.
    """
    for p in paths:
        if p == "-":
            yield "-", "-"
        elif _is_url(p):
            yield p.rstrip("/").rsplit("/", 1)[-1] or p, p
        elif os.path.isdir(p):
            root = os.path.abspath(p)
            found: list[str] = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for f in filenames:
                    if not f.startswith(".") and f.lower().endswith(EXTENSIONS) and not is_corpus_file(f):
                        found.append(os.path.join(dirpath, f))
            cut = len(os.path.join(root, ""))  # every path found starts with root and a separator
            for rel, f in sorted((f[cut:], f) for f in found):
                yield rel.replace(os.sep, "/"), f
        elif os.path.exists(p):
            yield os.path.basename(p), os.path.abspath(p)
        elif glob.has_magic(p):
            matches = sorted(glob.glob(p, recursive=True))
            for f in matches:
                if os.path.isfile(f) and not os.path.basename(f).startswith("."):
                    yield os.path.basename(f), os.path.abspath(f)
        else:
            yield p, os.path.abspath(p)


def read_source(source: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Raw bytes of a local path, an fsspec URL, or stdin (``-``).

    Raises :class:`InputError` naming the file: missing, a folder, unreadable, too large.
    """
    if source == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError("-", f"too large (more than {max_bytes} bytes)")
        return data
    if _is_url(source):
        try:
            import fsspec
        except ImportError:
            raise InputError(source, "reading URLs needs fsspec (pip install fsspec)") from None
        try:
            with fsspec.open(source, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except Exception as err:  # fsspec backends raise their own error types
            raise InputError(source, f"unreadable ({type(err).__name__}: {err})".splitlines()[0]) from None
        if len(data) > max_bytes:
            raise InputError(source, f"too large (more than {max_bytes} bytes)")
        return data
    try:
        st = os.stat(source)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(source, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):  # a pipe would block the run, /dev/zero never end
            raise InputError(source, "not a regular file (a pipe, socket or device)")
        if st.st_size > max_bytes:
            raise InputError(source, f"too large ({st.st_size} bytes, limit {max_bytes})")
        with open(source, "rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:  # (it grew since)
            raise InputError(source, f"too large (more than {max_bytes} bytes)")
        return data
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except IsADirectoryError:
        raise InputError(source, "is a folder, not a file") from None
    except OSError as err:
        raise InputError(source, f"unreadable ({err.strerror or err})") from None


def load_bytes(data: bytes, path: str, source: str = "", options: Options = DEFAULT_OPTIONS) -> Loaded:
    """Decode, normalise and split one file's bytes.

    Raises :class:`InputError` (path, reason) for empty, binary, undecodable or too large input
    and for a line longer than ``MAX_LINE_CHARS`` characters.
    """
    if len(data) > options.max_bytes:
        raise InputError(path, f"too large ({len(data)} bytes, limit {options.max_bytes})")
    if not data.strip():
        raise InputError(path, "empty file" if not data else "only whitespace")
    text, encoding = decode_bytes(data, path, options)
    doc = records.Document(
        path=path,
        source=source,
        encoding=encoding,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return _load(text, doc, is_html=path.lower().endswith(_HTML_EXT) or looks_like_html(text), options=options)


def load_text(text: str, path: str = "<text>", doc_date: str | None = None, options: Options = DEFAULT_OPTIONS) -> Loaded:
    """Normalise and split a text already decoded (``doc_date`` overrides the date finder)."""
    raw = text.encode("utf-8")
    doc = records.Document(path=path, source="", encoding=None, size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    return _load(text, doc, is_html=looks_like_html(text), options=options, doc_date=doc_date)


def _load(original: str, doc: records.Document, *, is_html: bool, options: Options, doc_date: str | None = None) -> Loaded:
    path = doc.path
    if original.startswith("\ufeff"):
        original = original[1:]  # a BOM left in a str: never part of the article
    check_text(original, path, MAX_LINE_CHARS)
    html_date = None
    if is_html:
        body, html_maps = strip_html(original)
        if not body.strip():
            raise InputError(path, "HTML page without text")
        script = detect_script(body)
        tm = normalize(body, to_simplified=options.to_simplified, script=script)
        tm = TextMap(original, tm.text, [*html_maps, *tm.maps], list(tm.unrepaired))
        if doc_date is None:
            html_date = date_from_html(original)
    else:
        script = detect_script(original)
        tm = normalize(original, to_simplified=options.to_simplified, script=script)
    entry = manifest_entry(doc.source) if doc.source and not _is_url(doc.source) else None
    if entry is not None:
        doc.url = entry.url
    elif _is_url(doc.source or ""):
        doc.url = doc.source
    date = (doc_date or html_date or find_publication_date(tm.text) or (entry.date if entry else None)
            or date_from_url(doc.url or "") or date_from_url(doc.source or ""))
    date = date or options.default_date
    boiler = find_boilerplate(tm.text)
    skip = merge_ranges(boiler + tm.unrepaired)
    articles: list[records.Article] = []
    skip_starts = [a for a, _ in skip]
    for i, span in enumerate(split_articles(tm.text, boiler, date)):
        s, e = span.start, span.end
        lo = max(0, bisect_left(skip_starts, s) - 1)
        hi = bisect_left(skip_starts, e)
        os_, oe = tm.to_original(s, e) if e > s else tm.to_original(s, s)
        articles.append(
            records.Article(
                index=i,
                start=s,
                end=e,
                orig_start=os_,
                orig_end=oe,
                headline=span.headline,
                date=span.date,
                boilerplate=[(max(a, s), min(b, e)) for a, b in skip[lo:hi] if a < e and b > s],
            )
        )
    doc.script = script
    doc.date = articles[0].date if articles else date
    doc.articles = len(articles)
    return Loaded(document=doc, text=tm, articles=articles)
