"""The terminal view behind ``jinlong show``: one document with its figures highlighted by kind,
then a table of them. Colour (rich) on a terminal; plain, grep-able text otherwise.

Plain mode marks a figure as ``[[text|kind]]`` and prints the table as tab-separated lines.
"""

from __future__ import annotations

import html as _html
from typing import TYPE_CHECKING, Iterator

import regex

from ..records import KINDS, Article, Fact
from .fmt import format_interval, format_value

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

#: Background per kind, the same colours as the HTML report's legend.
KIND_STYLES: dict[str, str] = {
    "money": "black on #fde68a",
    "count": "black on #bfdbfe",
    "percent": "black on #bbf7d0",
    "quantity": "black on #e9d5ff",
}
#: Table columns, in order (what ``jinlong show`` promises).
COLUMNS: tuple[str, ...] = ("#", "text", "kind", "value", "unit", "qualifier", "metric", "year", "subject")

_TAGS = regex.compile(r"(?is)<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->|<[^>]{0,2000}>")
_BLANKS = regex.compile(r"\n[ \t\u3000\r]*(?:\n[ \t\u3000\r]*){2,}")


def segments(original: str, facts: list[Fact], start: int = 0, end: int | None = None,
             *, html_source: bool = False) -> Iterator[tuple[str, Fact | None]]:
    """``original[start:end]`` cut into ``(text, fact)`` pieces; ``fact`` is None between figures.

    Figures are flat here: one nested inside (or crossing) the figure before it is not coloured
    separately (it still has its row in the table). HTML sources lose their tags between figures.

    >>> f = Fact("d", 0, 2, 6, "112个", "count", 112.0, 112.0, 112.0, "exact", "个", None, None,
    ...          None, None, None, None, None, False, "")
    >>> [(t, x is not None) for t, x in segments("签约112个项目", [f])]
    [('签约', False), ('112个', True), ('项目', False)]
    """
    end = len(original) if end is None else end
    pos = start
    for f in sorted(facts, key=lambda f: (f.start, -f.end)):
        if f.start < pos or not (start <= f.start and f.end <= end):
            continue
        if f.start > pos:
            yield _between(original[pos:f.start], html_source), None
        yield original[f.start:f.end], f
        pos = f.end
    if end > pos:
        yield _between(original[pos:end], html_source), None


def _between(text: str, html_source: bool) -> str:
    if html_source:
        text = _BLANKS.sub("\n\n", _html.unescape(_TAGS.sub("", text)))
    return text


def fact_row(n: int, f: Fact) -> list[str]:
    """One table row in :data:`COLUMNS` order."""
    value = format_value(f.value, f.unit)
    if f.qualifier not in ("exact", None) and (f.low is None or f.high is None or f.low != f.high):
        value = f"{value} ({format_interval(f.low, f.high, f.unit)})"
    year = str(f.year) if f.year is not None else (
        f"{f.period_start}–{f.period_end}" if f.period_start is not None else "")
    metric = (f.metric or "") + (" (累计)" if f.cumulative else "")
    return [str(n), f.text.replace("\n", "⏎"), f.kind, value, f.unit or "", f.qualifier, metric, year,
            f.subject or ""]


def _pieces(original: str, facts: list[Fact], articles: list[Article], html_source: bool
            ) -> Iterator[tuple[Article | None, list[tuple[str, Fact | None]]]]:
    if not articles:
        yield None, list(segments(original, facts, html_source=html_source))
        return
    for a in articles:
        inside = [f for f in facts if f.article == a.index or a.orig_start <= f.start < a.orig_end]
        yield a, list(segments(original, inside, a.orig_start, a.orig_end or len(original), html_source=html_source))


def _headline(a: Article) -> str:
    return f"article {a.index + 1}" + (f": {a.headline}" if a.headline else "") + (f" · {a.date}" if a.date else "")


def render_plain(original: str, facts: list[Fact], articles: list[Article] | None = None, *,
                 show_text: bool = True, html_source: bool = False) -> str:
    """The plain-text view: marked article text, a blank line, then the tab-separated table.

    >>> f = Fact("d", 0, 2, 6, "112个", "count", 112.0, 112.0, 112.0, "exact", "个", None, None,
    ...          "签约项目数", None, 2024, None, None, False, "")
    >>> lines = render_plain("签约112个项目", [f]).splitlines()
    >>> lines[0]
    '签约[[112个|count]]项目'
    >>> lines[3].split("\\t")
    ['1', '112个', 'count', '112个', '个', 'exact', '签约项目数', '2024', '']
    """
    out: list[str] = []
    if show_text:
        for a, pieces in _pieces(original, facts, articles or [], html_source):
            if a is not None and len(articles or []) > 1:
                out.append(f"== {_headline(a)} ==")
            out.append("".join(t if f is None else f"[[{t}|{f.kind}]]" for t, f in pieces).strip("\n"))
        out.append("")
    out.append("\t".join(COLUMNS))
    for n, f in enumerate(sorted(facts, key=lambda f: (f.start, f.end)), 1):
        out.append("\t".join(fact_row(n, f)))
    return "\n".join(out)


def render_rich(console: Console, original: str, facts: list[Fact], articles: list[Article] | None = None, *,
                title: str = "", show_text: bool = True, html_source: bool = False) -> None:
    """Print the coloured view on ``console``: legend, highlighted text, table of figures."""
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    legend = Text("  ").join(Text(f" {k} ", style=KIND_STYLES[k]) for k in KINDS)
    if title:
        console.print(Rule(Text(title, style="bold")))
    if show_text:
        console.print(legend)
        for a, pieces in _pieces(original, facts, articles or [], html_source):
            if a is not None and len(articles or []) > 1:
                console.print(Rule(Text(_headline(a)), style="dim"))
            text = Text()
            for t, f in pieces:
                text.append(t, style=KIND_STYLES.get(f.kind, "reverse") if f is not None else None)
            text.rstrip()
            console.print(text, soft_wrap=False)
    table = Table(title=f"{len(facts)} figures", title_justify="left", show_lines=False, header_style="bold")
    for col in COLUMNS:
        table.add_column(col, justify="right" if col in ("#", "value", "year") else "left",
                         overflow="fold")
    for n, f in enumerate(sorted(facts, key=lambda f: (f.start, f.end)), 1):
        row = fact_row(n, f)
        row[2] = Text(f.kind, style=KIND_STYLES.get(f.kind, ""))  # type: ignore[call-overload]
        table.add_row(*row)
    console.print(table)
