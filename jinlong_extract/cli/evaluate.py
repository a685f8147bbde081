"""``jinlong evaluate GOLD.jsonl FACTS.json``: precision / recall / F1 and attribute accuracy."""

from __future__ import annotations

import typer


def evaluate(
    gold: str = typer.Argument(..., help="Gold annotations (JSON Lines, tests/data/dev/GOLD_SCHEMA.md).", show_default=False),
    facts: str = typer.Argument(..., help="Extracted facts: facts.json, facts.jsonl, facts.csv or an output directory.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List per-document scores, unmatched gold rows and predictions first."),
    all_docs: bool = typer.Option(False, "--all-docs", help="Count facts of documents without gold rows as false positives."),
) -> None:
    """Score extracted facts against gold annotations.

    The last 12 lines of the table are the per-kind and overall P/R/F1 and the attribute
    accuracies (value, qualifier, unit, year, cumulative, metric, object).
    """
    import json

    from jinlong_extract import evaluate as ev
    from jinlong_extract.cli import EXIT_USAGE
    from jinlong_extract.errors import JinlongError

    try:
        gold_rows = ev.load_gold(gold)
        fact_rows = ev.load_facts(facts)
    except JinlongError as err:
        typer.echo(f"jinlong: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    result = ev.evaluate(gold_rows, fact_rows, all_docs=all_docs)
    if as_json:
        payload = result.to_dict()
        if verbose:
            payload["unmatched_gold_rows"] = result.unmatched_gold
            payload["unmatched_pred_rows"] = result.unmatched_pred
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if verbose:
        typer.echo(ev.format_details(result))
    typer.echo(ev.format_table(result))


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` command to the app."""
    app.command("evaluate")(evaluate)
