"""``jinlong report OUTPUT_DIR``: write the offline ``report.html`` for an output folder.

Exit codes as for every command: 0 written, 2 not an output folder / cannot write.
"""

from __future__ import annotations

from typing import Optional

import typer


def report(
    output_dir: str = typer.Argument(..., help="An output folder written by `jinlong extract` (holds facts.json).",
                                     show_default=False, metavar="OUTPUT_DIR"),
    out: Optional[str] = typer.Option(None, "--out", "-o",
                                      help="Where to write the report (file or folder). Default: OUTPUT_DIR/report.html."),
    title: str = typer.Option("jinlong report", "--title", help="Title shown at the top of the page."),
) -> None:
    """Write one self-contained report.html (works offline): overview and things to check first,
    every article with its figures highlighted, the reconciled table, the cumulative series as charts.

    Prints the path of the report it wrote.
    """
    from jinlong_extract.cli import EXIT_USAGE
    from jinlong_extract.errors import JinlongError
    from jinlong_extract.report import build_report

    try:
        path = build_report(output_dir, out=out, title=title)
    except JinlongError as err:
        typer.echo(f"jinlong report: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the app."""
    app.command("report")(report)
