"""Bytes -> str: BOM, strict UTF-8, declared charset, then a detector limited to UTF-8/GB18030/Big5."""

from __future__ import annotations

import codecs
import re

from jinlong_extract.data import load_table
from jinlong_extract.errors import InputError
from jinlong_extract.options import DEFAULT_OPTIONS, Options

_E = load_table("ingest")["encoding"]
_ALIASES: dict[str, str] = _E["aliases"]
_BOMS = (
    # (reported as utf-8-sig: decoding with the reported name gives the text offsets count in;
    # Python's utf-16 and utf-32 drop their byte-order mark themselves)
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_DECLARED = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
#: codecs tried after the detector's choice, in this order
_FALLBACK = ("gb18030", "big5hkscs")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def codec_for(name: str) -> str | None:
    """The codec we decode a declared/detected charset name with, or None if not supported.

    >>> codec_for("GB2312"), codec_for("big5"), codec_for("latin-1")
    ('gb18030', 'big5hkscs', None)
    """
    key = name.strip().lower()
    return _ALIASES.get(key) or _ALIASES.get(key.replace("_", "-"))


def _report(codec: str) -> str:
    return "big5" if codec == "big5hkscs" else codec


def _bad_share(text: str) -> float:
    """The share of replacement and control characters in ``text`` (0 when there are fewer than
    ``min_bad_chars``)."""
    if not text:
        return 0.0
    sample = text if len(text) <= 200_000 else text[:100_000] + text[-100_000:]
    bad = len(_CONTROL.findall(sample))
    return bad / len(sample) if bad >= _E["min_bad_chars"] else 0.0


def decode_bytes(data: bytes, path: str, options: Options = DEFAULT_OPTIONS) -> tuple[str, str]:
    """Decode raw bytes; return ``(text, encoding name)``.

    Order: BOM; strict UTF-8; a declared charset (``<meta charset>``, ``http-equiv``, or a
    ``charset=`` line) in the first 4 KiB; ``charset_normalizer`` restricted to
    ``options.encodings``. Raises :class:`InputError` for binary or undecodable input.

    >>> decode_bytes("天津".encode("gb18030") * 20, "a.txt")
    ('天津天津天津天津天津天津天津天津天津天津天津天津天津天津天津天津天津天津天津天津', 'gb18030')
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.replace("-sig", "")), name
            except UnicodeDecodeError as err:
                raise InputError(path, f"not valid {name.replace('-sig', '')} after its byte-order mark ({err.reason} at byte {err.start})") from None
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary file (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    m = _DECLARED.search(data[:4096])
    if m:
        codec = codec_for(m.group(1).decode("ascii", "replace"))
        if codec and codec != "utf-8":
            try:
                return data.decode(codec), _report(codec)
            except UnicodeDecodeError:
                pass  # a wrong label: let the detector decide
    allowed = [c for c in (codec_for(e) for e in options.encodings) if c]
    # The detector only orders the candidate codecs; when exactly one of them decodes the
    # bytes strictly, it is the answer whatever the order (the detector is slow: skip it).
    strict: list[tuple[str, str]] = []
    for codec in _FALLBACK:
        if codec in allowed:
            try:
                strict.append((data.decode(codec), codec))
            except UnicodeDecodeError:
                pass
    if len(strict) == 1:
        return strict[0][0], _report(strict[0][1])
    order: list[str] = []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: _E["detector_sample"]], cp_isolation=["utf_8", "gb18030", "big5"]).best()
        if best is not None:
            codec = codec_for(best.encoding.replace("_", "-"))
            if codec in allowed:
                order.append(codec)
    except Exception:  # pragma: no cover - detector failure falls back to trying the codecs
        pass
    order += [c for c in _FALLBACK if c in allowed and c not in order]
    # none decodes strictly: a few broken bytes in an article (UTF-8 first, which failed above),
    # read with the codec that leaves the fewest
    best_text: tuple[float, str, str] | None = None
    if "utf-8" in allowed:
        text = data.decode("utf-8", errors="replace")
        best_text = (_bad_share(text), text, "utf-8")
    for codec in order:
        if codec == "utf-8":
            continue
        try:
            return data.decode(codec), _report(codec)
        except UnicodeDecodeError:
            text = data.decode(codec, errors="replace")
            share = _bad_share(text)
            if best_text is None or share < best_text[0]:
                best_text = (share, text, codec)
    if best_text is not None and best_text[0] <= _E["max_bad_share"]:
        return best_text[1], _report(best_text[2])
    raise InputError(path, f"undecodable: not UTF-8, {', '.join(_report(c) for c in order) or 'no allowed encoding'}")


def check_text(text: str, path: str, max_line_chars: int) -> None:
    """Refuse decoded text that is empty, binary-looking, or has a line too long to be prose."""
    if not text.strip():
        raise InputError(path, "empty file" if not text else "only whitespace")
    if _bad_share(text) > _E["max_bad_share"]:
        raise InputError(path, "binary file (control characters)")
    if len(text) > max_line_chars:
        longest = max(map(len, text.split("\n")))
        if longest > max_line_chars:
            raise InputError(path, f"a line of {longest} characters (more than {max_line_chars}): not an article")
