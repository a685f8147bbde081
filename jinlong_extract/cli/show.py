"""``jinlong show FILE``: one article with its figures highlighted by kind, and a table of them.

Colour on a terminal (rich); plain text when the output is not a terminal (or with ``--plain``):
figures marked ``[[text|kind]]``, then a tab-separated table with the columns
``# text kind value unit qualifier metric year subject``.

Exit codes: 0 shown, 2 the file cannot be read as an article (the reason on stderr).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer


def show(
    file: str = typer.Argument(..., help="An article: .txt, .md, .html (or - for stdin).", show_default=False,
                              metavar="FILE"),
    article: Optional[int] = typer.Option(None, "--article", "-a", min=1,
                                          help="Show only this article of a page holding several (from 1)."),
    date: Optional[str] = typer.Option(None, "--date", help="Publication date to assume (YYYY-MM-DD) when the file has none."),
    text: bool = typer.Option(True, "--text/--no-text", help="Print the article text (else only the table)."),
    plain: bool = typer.Option(False, "--plain", help="Plain text even on a terminal."),
) -> None:
    """Extract the figures of one file and show them in place, highlighted by kind, with a table."""
    from jinlong_extract import pipeline
    from jinlong_extract.cli import EXIT_USAGE
    from jinlong_extract.options import Options
    from jinlong_extract.report.load import text_from_bytes
    from jinlong_extract.report.terminal import render_plain, render_rich

    if file == "-":
        data, name, source = sys.stdin.buffer.read(), "-", "-"
    else:
        try:
            data = Path(file).read_bytes()
        except OSError as err:
            typer.echo(f"jinlong show: {file}: {err.strerror or err}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        name, source = Path(file).name, str(Path(file).resolve())
    options = Options(default_date=date) if date else Options()
    result = pipeline.process_document(data, name, source, options)
    doc = result.document
    if doc.skipped:
        reason = "; ".join(doc.errors) or "skipped"
        typer.echo(f"jinlong show: {reason if reason.startswith(name) else f'{name}: {reason}'}", err=True)
        raise typer.Exit(EXIT_USAGE)
    facts = list(result.facts)
    shown = text_from_bytes(data, doc, facts)
    articles = list(result.article_meta) or shown.articles
    if article is not None:
        if article > max(len(articles), 1):
            typer.echo(f"jinlong show: {name}: has {max(len(articles), 1)} article(s), not {article}", err=True)
            raise typer.Exit(EXIT_USAGE)
        if articles:
            picked = articles[article - 1]
            articles = [picked]
            facts = [f for f in facts if f.article == picked.index]
    original = shown.original or ""
    html_source = name.lower().endswith((".html", ".htm")) or original.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
    if shown.error:
        typer.echo(f"jinlong show: {shown.error}", err=True)
    from rich.console import Console

    console = Console(highlight=False)
    if plain or not console.is_terminal:
        typer.echo(render_plain(original, facts, articles, show_text=text, html_source=html_source))
        return
    title = f"{name} · {doc.encoding or '?'} · {doc.date or 'no date'} · {len(facts)} figures"
    if article is not None and articles and articles[0].headline:
        title = f"{name} · article {article}: {articles[0].headline} · {len(facts)} figures"
    render_rich(console, original, facts, articles, title=title, show_text=text, html_source=html_source)


def register(app: typer.Typer) -> None:
    """Add the ``show`` command to the app."""
    app.command("show")(show)
