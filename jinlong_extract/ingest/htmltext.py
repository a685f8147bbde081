"""HTML -> text with offsets into the original HTML string.

A small tag scanner (no parser tree): tags and entities become edits of an
:class:`~jinlong_extract.normalize.EditMap`, so every character of the text maps back to the
HTML it came from (``&amp;`` maps to its five characters). Content of script/style/nav/header/
footer/aside (and elements whose class/id says nav, menu, footer …) is dropped; block tags end
a line. Rules are in ``data/ingest.toml`` ``[html]``.
"""

from __future__ import annotations

import html as _html
import re

from jinlong_extract.data import load_table
from jinlong_extract.normalize.textmap import Edit, EditMap, apply_edits

_H = load_table("ingest")["html"]
_DROP = frozenset(_H["drop"])
_BLOCK = frozenset(_H["block"])
_VOID = frozenset(_H["void"])
_DROP_CLASS = re.compile(
    r"""\b(?:class|id)\s*=\s*["']?[^"'>]*\b(?:""" + "|".join(map(re.escape, _H["drop_class"])) + r""")\b""", re.I
)
# Repetitions inside a tag are bounded, and an unquoted "<" ends a tag attempt, so a page full
# of stray "<" cannot make the scan quadratic.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<![^<>]{0,4000}>|<\?[^<>]{0,4000}>"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:-]{0,64})((?:[^<>\"']|\"[^\"]{0,2000}\"|'[^']{0,2000}'){0,8000})>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});",
    re.S,
)
_BREAK = "\x00"  # block boundary marker between the two passes (NUL never survives decoding)
_SPACE_RUN = re.compile(r"[\s\x00]{2,}|[\x00\n\r\t\f\v]")
_LOOKS_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I)


def looks_like_html(text: str) -> bool:
    """Whether decoded content is clearly an HTML page (checks the first 2 KiB).

    >>> looks_like_html("<!DOCTYPE html><html><body><p>天津</p>"), looks_like_html("天津 <b>")
    (True, False)
    """
    head = text[:2048].lstrip("\ufeff \t\r\n")
    return head.startswith("<") and _LOOKS_HTML.search(head) is not None


def _entity(ref: str) -> str:
    out = _html.unescape(ref)
    return out if out != ref else ref


def strip_html(html: str) -> tuple[str, list[EditMap]]:
    """Main text of an HTML page and the two maps (tags/entities, then whitespace) back to it.

    >>> text, maps = strip_html("<html><nav>热点 天津</nav><p>签约&nbsp;112个</p><p>A&amp;B</p></html>")
    >>> text
    '签约\\xa0112个\\nA&B'
    """
    edits: list[Edit] = []
    skip_tag: str | None = None
    skip_depth = 0
    skip_from = 0
    pos = 0
    n = len(html)
    while pos < n:
        m = _TOKEN.search(html, pos)
        if m is None:
            break
        s, e = m.span()
        closing, name, attrs = m.group(1), m.group(2), m.group(3)
        pos = e
        if name is None:
            if skip_tag is None:
                if html[s] == "&":
                    edits.append((s, e, _entity(m.group())))
                else:
                    edits.append((s, e, ""))  # comment, doctype, processing instruction
            continue
        name = name.lower()
        if skip_tag is not None:
            if name == skip_tag and name not in _VOID and not attrs.rstrip().endswith("/"):
                skip_depth += -1 if closing else 1
                if skip_depth == 0:
                    edits.append((skip_from, e, _BREAK))
                    skip_tag = None
            continue
        if name in ("script", "style", "template") and not closing:
            # raw text: its content may hold "<" — jump to the closing tag
            end = re.compile(rf"</{name}\s*>", re.I).search(html, e)
            stop = end.end() if end else n
            edits.append((s, stop, _BREAK))
            pos = stop
            continue
        if not closing and name not in _VOID and (name in _DROP or _DROP_CLASS.search(attrs or "")):
            if attrs.rstrip().endswith("/"):
                edits.append((s, e, ""))
                continue
            skip_tag, skip_depth, skip_from = name, 1, s
            continue
        edits.append((s, e, _BREAK if name in _BLOCK else ""))
    if skip_tag is not None:
        edits.append((skip_from, n, _BREAK))
    text, first = apply_edits(html, edits)

    def space(m: re.Match[str]) -> str:
        return "\n" if _BREAK in m.group() else " "

    spaced: list[Edit] = []
    for m in _SPACE_RUN.finditer(text):
        repl = space(m)
        if m.start() == 0 or m.end() == len(text):
            repl = ""
        if repl != m.group():
            spaced.append((m.start(), m.end(), repl))
    text2, second = apply_edits(text, spaced)
    return text2, [first, second]
