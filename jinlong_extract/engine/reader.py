"""Reading the raw bytes of one source (local path, ``-`` or fsspec URL) for hashing and processing."""

from __future__ import annotations

import os
import sys

from .. import records
from ..options import MAX_FILE_BYTES

_LOCAL_PREFIX = "file://"


def is_url(source: str) -> bool:
    """True for ``s3://…``, ``gs://…``, ``http(s)://…`` and other fsspec URLs (not ``file://``).

    >>> is_url("s3://bucket/a.txt"), is_url("corpus/a.txt"), is_url("file:///tmp/a.txt")
    (True, False, False)
    """
    return "://" in source and not source.startswith(_LOCAL_PREFIX)


def read_checked(source: str, max_bytes: int) -> tuple[bytes | None, str | None]:
    """``(bytes, None)``, or ``(None, reason)`` when ``source`` cannot be read as an input.

    Uses ``jinlong_extract.ingest.read_source`` (the one place that words these reasons: missing,
    a folder, unreadable, too large — checked before reading) when it exists, else ``open`` /
    fsspec. Stdin (``-``) is read here, in the parent: pool workers get ``/dev/null``.

    >>> read_checked("/no/such/file.txt", 100)[1] is not None
    True
    """
    if source.startswith(_LOCAL_PREFIX):
        source = source[len(_LOCAL_PREFIX):]
    reader = _ingest_reader()
    if reader is not None:
        from ..errors import JinlongError

        try:
            return reader(source, max_bytes=max_bytes), None
        except JinlongError as err:
            return None, err.reason
        except Exception as err:  # a reader bug must not stop a run
            return None, f"unreadable: {type(err).__name__}: {err}".splitlines()[0]
    try:
        if source == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        elif is_url(source):
            import fsspec  # lazy: only remote inputs need it

            with fsspec.open(source, "rb") as fh:
                data = fh.read(max_bytes + 1)
        else:
            if os.path.getsize(source) > max_bytes:
                return None, f"too large (more than {max_bytes} bytes)"
            with open(source, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except OSError as err:
        return None, f"unreadable ({err.strerror or err})"
    except Exception as err:
        return None, f"unreadable: {type(err).__name__}: {err}".splitlines()[0]
    if len(data) > max_bytes:
        return None, f"too large (more than {max_bytes} bytes)"
    return data, None


def read_bytes(source: str, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
    """The raw bytes of ``source``, or None when it cannot be read (see :func:`read_checked`)."""
    return read_checked(source, max_bytes)[0]


def skipped_result(path: str, source: str, reason: str) -> records.DocumentResult:
    """The result for an input that could not be read, as ``pipeline.process_document`` makes it."""
    return records.DocumentResult(records.Document(path=path, source=source, skipped=True, errors=[reason]))


_READER: object = False


def _ingest_reader():
    """``ingest.read_source`` if the ingest package provides it (looked up once)."""
    global _READER
    if _READER is False:
        try:
            from ..ingest import read_source
        except ImportError:
            read_source = None
        _READER = read_source
    return _READER
