"""The ``jinlong`` command line (console script ``jinlong``, also ``python -m jinlong_extract``).

Commands::

    jinlong extract PATH... [--out DIR|-] [--format csv,json,jsonl,parquet,xlsx]
                    [--table facts|documents|entities|reconciled|series] [--jobs N]
                    [--engine local|dask] [--scheduler ADDR] [--quiet] [--no-cache] [--report]
    jinlong evaluate GOLD.jsonl FACTS.json [--json] [--verbose] [--all-docs]
    jinlong report OUTPUT_DIR …      (registered from cli/report.py when present)
    jinlong show …                   (registered from cli/show.py when present)

Exit codes (every command):

====  ==========================================================================================
0     all fine
1     some input files were skipped (each named on stderr with the reason); the rest was written
2     usage error (bad option, unknown format/table), nothing readable, or an output that could
      not be written / a gold file that does not follow the schema
130   interrupted (Ctrl-C); no partial table is left behind
143   terminated (SIGTERM: ``kill``, a scheduler's time limit); as for 130
====  ==========================================================================================

Output files of ``extract`` (in ``--out``, default ``output/``): ``facts``, ``documents`` and,
when the run produced them, ``entities``, ``reconciled``, ``series``, each as
``<table>.csv`` (UTF-8 with BOM), ``<table>.json`` (an array), ``<table>.jsonl``,
``<table>.parquet``, plus one workbook ``jinlong.xlsx`` with a sheet per table. Every file is
written atomically (temp file + ``os.replace`` at the end; an interrupted run leaves none, and the
next run removes those of a run killed with ``kill -9``). The
documents table is appended as documents finish; facts too with ``--no-entities``, otherwise after
the cross-document stage has linked their ``subject_ids``. ``--out -`` streams JSON Lines of one
table (facts by default) to stdout and nothing else. List-valued columns are JSON text in CSV /
XLSX / Parquet (in XLSX a list longer than a cell drops whole items from its end; ``n_mentions``
keeps the count). The incremental cache is ``<out>/.jinlong-cache.sqlite`` (``--no-cache``).

Column orders (stable; a new field is only ever appended at the end):

* facts: doc, article, start, end, text, kind, value, low, high, qualifier, unit, currency,
  object, metric, subject, year, period_start, period_end, cumulative, sentence, date,
  subject_ids, year_source, id   (``records.FACT_COLUMNS``)
* documents: path, source, encoding, script, date, articles, facts, errors, sha256, size,
  skipped   (``records.DOCUMENT_COLUMNS``)
* entities: id, type, canonical, aliases, mentions, titles, parent, rule, n_mentions
* reconciled: id, kind, metric, subject, subject_id, year, period_start, period_end, cumulative,
  unit, value, low, high, qualifier, n_sources, sources, rule, conflict, conflict_with, note
* series: series, subject, metric, unit, as_of, value, reconciled_id, fact_ids, flag

Nothing heavy is imported at start-up (``jinlong --help`` stays fast): each command imports the
pipeline, pandas and the writers inside its function.
"""

from __future__ import annotations

import importlib

import typer

#: Exit codes (documented above; the README copies them).
EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

app = typer.Typer(
    name="jinlong",
    help="Turn Chinese news articles into grounded tables of figures (money, counts, percentages, quantities).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


#: Commands registered from modules another engineer owns (each defines ``register(app)``).
OPTIONAL_COMMANDS: tuple[str, ...] = ("report", "show")


def register_optional(target: typer.Typer, name: str, module_name: str | None = None) -> bool:
    """Register command ``name`` from ``jinlong_extract.cli.<name>`` if that module exists.

    Returns False when the module is not installed. A module that exists but fails to import or
    register is replaced by a command that says why (exit 2), so one broken optional command
    never breaks ``jinlong extract``.
    """
    module_name = module_name or f"jinlong_extract.cli.{name}"
    try:
        module = importlib.import_module(module_name)
        module.register(target)
    except ModuleNotFoundError as err:
        if err.name == module_name:
            return False  # not part of this installation
        _unavailable(target, name, err)
    except Exception as err:
        _unavailable(target, name, err)
    return True


def _unavailable(target: typer.Typer, name: str, err: Exception) -> None:
    """Register ``name`` as a command that says why it cannot run (exit 2)."""
    reason = f"{type(err).__name__}: {err}".splitlines()[0]

    def command() -> None:
        typer.echo(f"jinlong {name}: unavailable ({reason})", err=True)
        raise typer.Exit(EXIT_USAGE)

    settings = {"ignore_unknown_options": True, "allow_extra_args": True}
    target.command(name, help=f"(unavailable: {reason})", context_settings=settings)(command)


def _register() -> None:
    from jinlong_extract.cli import evaluate as _evaluate
    from jinlong_extract.cli import extract as _extract

    _extract.register(app)
    _evaluate.register(app)
    for name in OPTIONAL_COMMANDS:
        register_optional(app, name)


_register()


def main() -> None:
    """Entry point of the ``jinlong`` console script."""
    app(prog_name="jinlong")
