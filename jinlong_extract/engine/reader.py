"""Reading the raw bytes of one source (local path or fsspec URL) for hashing and processing."""

from __future__ import annotations

import os

#: URL schemes handled by fsspec rather than ``open``.
_LOCAL_PREFIX = "file://"


def is_url(source: str) -> bool:
    """True for ``s3://…``, ``gs://…``, ``http(s)://…`` and other fsspec URLs (not ``file://``).

    >>> is_url("s3://bucket/a.txt"), is_url("corpus/a.txt"), is_url("file:///tmp/a.txt")
    (True, False, False)
    """
    return "://" in source and not source.startswith(_LOCAL_PREFIX)


def read_bytes(source: str, max_bytes: int | None = None) -> bytes | None:
    """The raw bytes of ``source``, or None when it cannot be read or is larger than ``max_bytes``.

    None means "let the pipeline look at it": ``process_document(None, …)`` reports the reason
    (missing, unreadable, too large) as a skipped document, so the engine never invents messages.
    Uses ``jinlong_extract.ingest.read_source`` when that exists, so local and remote inputs are
    read the same way everywhere; else ``open`` / fsspec.
    """
    if source.startswith(_LOCAL_PREFIX):
        source = source[len(_LOCAL_PREFIX):]
    if max_bytes is not None and not is_url(source):
        try:
            if os.stat(source).st_size > max_bytes:
                return None
        except OSError:
            return None
    reader = _ingest_reader()
    try:
        if reader is not None:
            data = reader(source)
            if isinstance(data, (bytes, bytearray, memoryview)):
                return bytes(data)
            return None
        if is_url(source):
            import fsspec  # lazy: only remote inputs need it

            with fsspec.open(source, "rb") as fh:
                return fh.read()
        with open(source, "rb") as fh:
            return fh.read()
    except Exception:  # any read failure becomes a skipped document reported by the pipeline
        return None


_READER: object = False


def _ingest_reader():
    """``ingest.read_source`` if the ingest package provides it (looked up once)."""
    global _READER
    if _READER is False:
        try:
            from ..ingest import read_source  # type: ignore[attr-defined]
        except ImportError:
            read_source = None
        _READER = read_source
    return _READER
