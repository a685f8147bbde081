"""``jinlong extract``: files / folders / globs / ``-`` in, tables out (see ``cli/__init__`` for the
exit codes, output files and column orders)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Optional

import typer

if TYPE_CHECKING:  # pragma: no cover
    from jinlong_extract import records
    from jinlong_extract.options import Options

#: Tables that can be asked for with ``--table``, in writing order.
TABLE_CHOICES = ("facts", "documents", "entities", "reconciled", "series")
#: Documents (or facts) buffered before they are handed to the table writer.
_BATCH = 256
#: After a per-document stage that read this much, its caches and jieba's dictionary are let go
#: before the cross-document stage (engine.memory). Not after small runs: they gain nothing, and
#: a process that extracts again (tests, a notebook) would reload jieba.
RELEASE_BYTES = 8 << 20
#: Name of the incremental cache kept in the output directory (``--no-cache`` disables it).
CACHE_NAME = ".jinlong-cache.sqlite"


@dataclass
class Tally:
    """What the summary reports."""

    documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  #: (path, warning) as reported
    kinds: Counter = field(default_factory=Counter)
    bytes: int = 0
    entities: int | None = None
    reconciled: int | None = None
    conflicts: int | None = None
    series: int | None = None
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0
    unchanged: bool = False  #: nothing changed since the last complete run: its tables were kept


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _line(path: str, reason: str) -> str:
    """``path: reason`` without repeating the path when the reason already starts with it."""
    reason = " ".join(str(reason).split())  # one line, whatever the library said
    return reason if reason.startswith(f"{path}:") else f"{path}: {reason}"


def _skipped_result(path: str, source: str, reason: str) -> records.DocumentResult:
    from jinlong_extract import records

    doc = records.Document(path=path, source=source, errors=[reason], skipped=True)
    return records.DocumentResult(document=doc)


def _discover(paths: list[str]) -> tuple[list[tuple[str, str]], list[records.DocumentResult]]:
    """Expand each PATH argument on its own, so one bad argument cannot stop the others."""
    from jinlong_extract import pipeline
    from jinlong_extract.errors import JinlongError

    sources: list[tuple[str, str]] = []
    bad: list[records.DocumentResult] = []
    seen: set[str] = set()
    for arg in paths:
        try:
            found = list(pipeline.iter_sources([arg]))
        except JinlongError as err:
            bad.append(_skipped_result(err.path or arg, arg, err.reason))
            continue
        except OSError as err:
            bad.append(_skipped_result(arg, arg, err.strerror or str(err)))
            continue
        if not found:
            reason = "no such file or directory" if arg != "-" and not _has_glob(arg) and not os.path.exists(arg) else "no input files found"
            bad.append(_skipped_result(arg, arg, reason))
            continue
        for rel, src in found:
            if src in seen:  # the same file named twice (a folder and a glob inside it)
                continue
            seen.add(src)
            sources.append((rel, src))
    return sources, bad


def _stdin_result(options: Options) -> records.DocumentResult:
    """Standard input (``-``) is read here, in this process, and given the path ``-``."""
    from jinlong_extract.pipeline import process_document

    stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    data = stdin.read() if stdin is not None else sys.stdin.read().encode("utf-8")
    return process_document(data, "-", "-", options)


def _cache_path(out: str) -> str:
    try:
        from jinlong_extract.engine import default_cache_path
    except ImportError:
        return os.path.join(out, CACHE_NAME)
    return default_cache_path(out)


def _utf8(stream: Any) -> None:
    """JSON Lines on stdout are UTF-8 whatever the locale says."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if encoding != "utf-8" and hasattr(stream, "reconfigure"):
        try:
            stream.reconfigure(encoding="utf-8")
        except (ValueError, OSError):
            pass


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _has_glob(arg: str) -> bool:
    return any(ch in arg for ch in "*?[")


def _run(
    sources: list[tuple[str, str]],
    options: Options,
    *,
    jobs: int,
    engine: str,
    scheduler: str | None,
    cache_path: str | None,
    progress: bool,
    stats: Any = None,
) -> Iterator[records.DocumentResult]:
    """Results in source order (``pipeline.run_documents``: the engine's pool / Dask / cache)."""
    from jinlong_extract.pipeline import run_documents

    yield from run_documents(
        sources, options, jobs=jobs, engine=engine, scheduler=scheduler, cache_path=cache_path, progress=progress,
        stats=stats,
    )


def _tables_exist(out: str, tables: list[str], formats: Any) -> bool:
    wanted = [os.path.join(out, f"{t}.{f}") for t in tables for f in formats if f != "xlsx"]
    if "xlsx" in formats:
        wanted.append(os.path.join(out, "jinlong.xlsx"))
    return all(os.path.exists(p) for p in wanted)


def _previous_tables_hold(out: str, tables: list[str], formats: Any, stats: Any) -> bool:
    """The last complete run had the same inputs under the same options (the engine's input
    fingerprint) and its tables are all there: they still hold, nothing needs rewriting."""
    if stats is None or not stats.complete or not stats.previous_fingerprint:
        return False
    if stats.previous_fingerprint != stats.fingerprint:
        return False
    return _tables_exist(out, tables, formats)


#: Cache meta entry: the summary of the last complete run that wrote its tables (JSON).
_TALLY = "last_run_summary"
#: Tally fields kept in it.
_TALLY_FIELDS = ("documents", "skipped", "warnings", "notes", "kinds", "bytes", "entities", "reconciled",
                 "conflicts", "series")


def _save_tally(cache_path: str, options: Options, fingerprint: str, tally: Tally) -> None:
    """Remember this run's summary beside its fingerprint, for :func:`_replay_unchanged`."""
    import json

    from jinlong_extract.engine import Cache

    data = {name: getattr(tally, name) for name in _TALLY_FIELDS}
    with Cache(cache_path, options) as cache:
        cache.set_meta(_TALLY, json.dumps({"fingerprint": fingerprint, **data}, ensure_ascii=False))


def _replay_unchanged(sources: list[tuple[str, str]], options: Options, cache_path: str, out: str,
                      tables: list[str], formats: Any, tally: Tally, quiet: bool) -> bool:
    """Nothing changed since the last run (same paths, bytes and options; its tables all there):
    restore its summary into ``tally`` and say again what it said about skipped files, without
    loading a single stored result. False when anything differs."""
    import json

    from jinlong_extract.engine import Cache, unchanged_since_last_run

    if not _tables_exist(out, tables, formats):
        return False
    fingerprint = unchanged_since_last_run(sources, options, cache_path=cache_path)
    if fingerprint is None:
        return False
    with Cache(cache_path, options) as cache:
        stored = cache.get_meta(_TALLY)
    data = json.loads(stored) if stored else {}
    if data.get("fingerprint") != fingerprint or any(name not in data for name in _TALLY_FIELDS):
        return False
    for name in _TALLY_FIELDS:
        setattr(tally, name, data[name])
    tally.skipped = [tuple(item) for item in tally.skipped]
    tally.notes = [tuple(item) for item in tally.notes]
    tally.kinds = Counter(tally.kinds)
    for path, reason in tally.skipped:
        _say(_line(path, reason))
    if not quiet:
        for path, warning in tally.notes:
            _say("warning: " + _line(path, warning))
    return True


def _split(spec: Optional[str]) -> list[str]:
    return [s.strip().lower() for s in (spec or "").split(",") if s.strip()]


def extract(
    paths: list[str] = typer.Argument(..., help="Files, folders, globs, or - for stdin.", show_default=False, metavar="PATH"),
    out: str = typer.Option("output", "--out", "-o", help="Output directory, or - for JSON Lines on stdout."),
    fmt: str = typer.Option("csv,json", "--format", "-f", help="Comma-separated: csv,json,jsonl,parquet,xlsx."),
    table: Optional[str] = typer.Option(
        None,
        "--table",
        "-t",
        help="Tables to write (comma-separated: facts,documents,entities,reconciled,series; default all). "
        "With --out - exactly one (default facts).",
    ),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Worker processes (default 0: one per CPU; 1 runs in this process)."),
    engine: str = typer.Option("local", "--engine", help="local or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (--engine dask)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary; errors only."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use or update the incremental cache."),
    report: bool = typer.Option(False, "--report", help="Also write report.html into the output directory."),
    date: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) for documents without one."),
    kinds: Optional[str] = typer.Option(None, "--kinds", help="Figure kinds to keep (comma-separated; default all)."),
    no_entities: bool = typer.Option(False, "--no-entities", help="Skip entity recognition and subject linking."),
) -> None:
    """Extract figures from Chinese news articles into tables (facts, documents, entities …)."""
    from jinlong_extract.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_SKIPPED, EXIT_TERMINATED, EXIT_USAGE
    from jinlong_extract.errors import JinlongError
    from jinlong_extract.export import TableWriter, parse_formats, remove_abandoned, write_jsonl
    from jinlong_extract.options import Options
    from jinlong_extract.records import KINDS

    started = time.perf_counter()
    to_stdout = out == "-"
    # ---- validate the options (usage errors: exit 2, nothing written) ----------------------
    try:
        formats = parse_formats(fmt)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--format") from None
    if report and "json" not in formats:
        formats = parse_formats(list(formats) + ["json"])  # the report reads the JSON tables
    tables = _split(table)
    unknown = [t for t in tables if t not in TABLE_CHOICES]
    if unknown:
        raise typer.BadParameter(f"unknown table {', '.join(unknown)} (choose from {', '.join(TABLE_CHOICES)})", param_hint="--table")
    if to_stdout:
        if len(tables) > 1:
            raise typer.BadParameter("--out - streams exactly one table", param_hint="--table")
        tables = tables or ["facts"]
        if report:
            raise typer.BadParameter("--report needs an output directory, not -", param_hint="--report")
    tables = [t for t in TABLE_CHOICES if t in tables] if tables else list(TABLE_CHOICES)
    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"unknown engine {engine} (choose local or dask)", param_hint="--engine")
    if scheduler and engine != "dask":
        raise typer.BadParameter("--scheduler needs --engine dask", param_hint="--scheduler")
    wanted_kinds = tuple(k for k in KINDS if k in _split(kinds)) if kinds is not None else KINDS
    bad_kinds = [k for k in _split(kinds) if k not in KINDS]
    if bad_kinds or not wanted_kinds:
        raise typer.BadParameter(
            f"unknown kind {', '.join(bad_kinds) or repr(kinds)} (choose from {', '.join(KINDS)})", param_hint="--kinds"
        )
    if date is not None:
        import datetime as _dt

        try:
            _dt.date.fromisoformat(date)
        except ValueError:
            raise typer.BadParameter(f"{date} is not a YYYY-MM-DD date", param_hint="--date") from None
    options = Options(kinds=wanted_kinds, entities=not no_entities, default_date=date)

    tally = Tally()
    writer: TableWriter | None = None
    spool = None  # the results on disk, for the cross-document stages (jinlong_extract.spool)
    children: list[Any] = []  # forked writers of some tables or formats (engine.forked.Task)
    on_term = _terminate_as_interrupt()
    try:
        read_stdin = "-" in paths
        # Facts stream out as documents finish, except when entities are on: then each fact's
        # subject_ids are only known once every document's mentions are merged (merge_run),
        # so the facts table is written after the cross-document stage.
        defer_facts = options.entities and "facts" in tables
        sources, bad = _discover([p for p in paths if p != "-"])
        if not to_stdout:
            first = [t for t in ("facts", "documents") if t in tables and not (t == "facts" and defer_facts)]
            remove_abandoned(out)  # what an earlier run, killed while writing, left
            writer = TableWriter(out, formats, tables=first, remove_stale=tables)
        cache_path = None if (no_cache or to_stdout) else _cache_path(out)
        stream = sys.stdout
        if to_stdout:
            _utf8(stream)
        batch: dict[str, list[Any]] = {"facts": [], "documents": []}  # rows waiting for the writer
        later = [t for t in ("entities", "reconciled", "series") if t in tables]
        keep = bool(defer_facts or later)  # only the cross-document stages need the results kept

        def take(result: records.DocumentResult) -> None:
            nonlocal spool
            doc = result.document
            tally.documents += 1
            tally.bytes += doc.size or 0
            if doc.skipped:
                reason = doc.errors[0] if doc.errors else "skipped"
                tally.skipped.append((doc.path, reason))
                _say(_line(doc.path, reason))
            else:
                tally.warnings += len(doc.errors)
                tally.notes.extend((doc.path, warning) for warning in doc.errors)
                if not quiet:
                    for warning in doc.errors:
                        _say("warning: " + _line(doc.path, warning))
                tally.kinds.update(f.kind for f in result.facts)
            if writer is not None:
                if "facts" in tables and not defer_facts:
                    batch["facts"].extend(result.facts)
                if "documents" in tables:
                    batch["documents"].append(doc)
                if len(batch["documents"]) >= _BATCH or len(batch["facts"]) >= _BATCH:
                    flush()
            elif tables[0] == "facts" and not defer_facts:
                write_jsonl(stream, "facts", result.facts)
                stream.flush()
            elif tables[0] == "documents":
                write_jsonl(stream, "documents", [doc])
            if keep and not doc.skipped:  # kept on disk, not in memory
                if spool is None:
                    from jinlong_extract.spool import RunSpool

                    spool = RunSpool(options)
                spool.add(result)

        def flush() -> None:
            """Hand the buffered rows to the writer (appending row by row costs more than the rows)."""
            for name, rows in batch.items():
                if rows and writer is not None:
                    writer.write(name, rows)
                batch[name] = []

        for result in bad:
            take(result)
        if read_stdin:
            take(_stdin_result(options))
        stats = None
        if cache_path is not None:
            from jinlong_extract.engine import RunStats

            stats = RunStats()
        if (writer is not None and cache_path is not None and not bad and not read_stdin
                and _replay_unchanged(sources, options, cache_path, out, tables, formats, tally, quiet)):
            # nothing changed since the last run: its tables are this run's tables
            writer.abort()
            writer = None
            tally.unchanged = True
            defer_facts, later = False, []
        else:
            for result in _run(
                sources, options, jobs=jobs or (os.cpu_count() or 1), engine=engine, scheduler=scheduler,
                cache_path=cache_path, progress=not quiet, stats=stats,
            ):
                take(result)
            flush()
            if tally.bytes >= RELEASE_BYTES:
                from jinlong_extract.engine.memory import release_document_caches

                release_document_caches()  # the cross-document stage (and its forks) start small
        if writer is not None and not bad and not read_stdin and _previous_tables_hold(out, tables, formats, stats):
            # an unchanged re-run: the previous run's tables are this run's tables
            writer.abort()
            writer = None
            tally.unchanged = True
            defer_facts, later = False, []

        readable = tally.documents - len(tally.skipped)
        if readable == 0:
            if writer is not None:
                writer.abort()  # keep an earlier run's tables rather than replacing them by nothing
                writer = None
            _say("jinlong: nothing readable: " + ("no input files" if not tally.documents else f"all {tally.documents} inputs skipped"))
            raise typer.Exit(EXIT_USAGE)

        if defer_facts or later:
            from jinlong_extract.engine.forked import Task

            assert spool is not None
            spool.finish()  # merges the entities: the facts and entities tables are final now
            if options.entities:
                tally.entities = spool.n_entities
            reconciled: dict[str, Any] = {}
            produced: dict[str, Any] = {  # each call reads the table from its start
                "facts": spool.fact_rows,
                "entities": spool.entity_rows,
                "reconciled": lambda: reconciled["done"].table_rows(),
                "series": lambda: reconciled["done"].table_points(),
            }
            names = [n for n in (["facts"] if defer_facts else []) + later if n != "entities" or options.entities]
            cores = jobs or (os.cpu_count() or 1)
            owner = os.getpid()
            if writer is not None:
                # The facts and entities tables are final now; with more than one core a forked
                # child writes them while this process reconciles (one workbook can't be split).
                # The child opens files of its own: a file open across a fork shares its offset.
                # Its files are named after this process, which publishes them (remove_abandoned).
                first = [n for n in names if n in ("facts", "entities")]
                if first and len(first) < len(names) and cores > 1 and "xlsx" not in formats:
                    children.append(Task(lambda: _write_close(TableWriter(out, formats, tables=first, owner=owner),
                                                              first, produced)))
                    names = [n for n in names if n not in first]
            if {"reconciled", "series"} & set(later):
                from jinlong_extract.reconcile import reconcile_parts

                done = reconcile_parts(spool.results, spool.entity_names, documents=spool.documents(),
                                       facts=spool.n_facts, directory=spool.dir, jobs=cores)
                reconciled["done"] = done
                tally.reconciled = done.n_rows
                tally.conflicts = done.n_conflicts
                tally.series = done.n_series
            mine, theirs = _share_formats(formats, cores)
            if writer is not None and names and theirs:
                # the rest in two processes, by format (each reads the tables on its own)
                children.append(Task(lambda: _write_close(TableWriter(out, theirs, tables=names, owner=owner), names,
                                                          produced)))
            for name in names:
                if writer is not None:
                    writer.write(name, produced[name](), formats=mine)
                elif tables[0] == name:
                    write_jsonl(stream, name, produced[name]())
            while children:
                writer.adopt(children.pop(0).result())
        if writer is not None:
            tally.written = [str(p) for p in writer.commit()]
            writer = None
            if stats is not None and stats.complete and cache_path is not None and not bad and not read_stdin:
                _save_tally(cache_path, options, stats.fingerprint, tally)
        if report:
            from jinlong_extract.report import build_report

            tally.written.append(str(build_report(out)))
    except KeyboardInterrupt as err:
        _abandon(children, writer)
        if isinstance(err, _Terminated):
            _say("jinlong: terminated; no table was written")
            raise typer.Exit(EXIT_TERMINATED) from None
        _say("jinlong: interrupted; no table was written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except JinlongError as err:
        _abandon(children, writer)
        _say(f"jinlong: {err}")
        raise typer.Exit(EXIT_USAGE) from None
    except BrokenPipeError:
        # `jinlong extract … --out - | head`: the reader has all it wants; stop quietly
        _silence_stdout()
        raise typer.Exit(EXIT_OK) from None
    except OSError as err:  # disk full, permission lost while writing: one line, nothing published
        _abandon(children, writer)
        _say(f"jinlong: {err.filename or out}: cannot write ({err.strerror or err})")
        raise typer.Exit(EXIT_USAGE) from None
    except BaseException:
        _abandon(children, writer)
        raise
    finally:
        if on_term is not None:
            signal.signal(signal.SIGTERM, on_term)
        if spool is not None:
            spool.close()
    tally.seconds = time.perf_counter() - started
    if not quiet:
        _summary(tally, out)
    raise typer.Exit(EXIT_SKIPPED if tally.skipped else EXIT_OK)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a scheduler's time limit), handled as Ctrl-C is."""


def _terminated(signum: int, frame: Any) -> None:
    raise _Terminated()


def _terminate_as_interrupt() -> Any:
    """Make SIGTERM stop the run as Ctrl-C does (finished documents kept in the cache, no table
    published, no temporary file left); returns the handler to restore (None off the main
    thread, where handlers cannot be set: a library caller's thread keeps its own)."""
    try:
        return signal.signal(signal.SIGTERM, _terminated)
    except ValueError:
        return None


def _write_close(writer: Any, names: list[str], produced: dict[str, Any]) -> list[tuple[Any, Any]]:
    """Write ``names`` with a new ``writer`` and close it unpublished (the committing writer adopts
    its files)."""
    try:
        for name in names:
            writer.write(name, produced[name]())
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _share_formats(formats: tuple[str, ...], cores: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The formats of the tables written last, by this process and by a forked child: with
    more than one core and format, half each (the workbook, one file, stays here).

    >>> _share_formats(("csv", "json"), 2), _share_formats(("csv", "xlsx"), 2), _share_formats(("csv", "json"), 1)
    ((('csv',), ('json',)), (('xlsx',), ('csv',)), (('csv', 'json'), ()))
    """
    if cores < 2 or len(formats) < 2:
        return formats, ()
    if "xlsx" in formats:
        return ("xlsx",), tuple(f for f in formats if f != "xlsx")
    return formats[0::2], formats[1::2]


def _abandon(children: list[Any], writer: Any) -> None:
    """An interrupted or failed run: stop the forked table writers, then drop every temporary
    file (the writer's, and the children's: named after this process too); published tables stay
    as they were."""
    for child in children:
        child.cancel()
    if writer is not None:
        writer.abort()
        writer.abort_process(os.getpid())


def summary_lines(tally: Tally, out: str) -> list[str]:
    """The plain-text summary (one fact per line), as printed when stderr is not a terminal."""
    from jinlong_extract.records import KINDS

    total = sum(tally.kinds.values())
    by_kind = ", ".join(f"{k} {tally.kinds.get(k, 0)}" for k in KINDS)
    mb = tally.bytes / 1e6
    rate = f", {mb / tally.seconds:.2f} MB/s" if tally.seconds > 0 and mb >= 0.01 else ""
    lines = [
        f"documents: {tally.documents - len(tally.skipped)} read, {len(tally.skipped)} skipped "
        f"({_size(tally.bytes)} in {tally.seconds:.1f} s{rate})",
        f"figures: {total} ({by_kind})",
    ]
    if tally.entities is not None:
        lines.append(f"entities: {tally.entities}")
    if tally.reconciled is not None:
        lines.append(f"reconciled: {tally.reconciled} figures, {tally.conflicts} conflicts, {tally.series} series")
    if tally.warnings:
        lines.append(f"warnings: {tally.warnings}")
    for path, reason in tally.skipped:
        lines.append("skipped: " + _line(path, reason))
    if tally.unchanged:
        lines.append(f"unchanged since the last run: kept the tables in {out}")
    if tally.written:
        lines.append("wrote: " + ", ".join(tally.written))
    elif out == "-":
        lines.append("wrote: JSON Lines to stdout")
    return lines


def _size(n: int) -> str:
    """``532 B``, ``48.2 kB``, ``12.5 MB`` (decimal units, as the MB/s rate)."""
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.1f} MB"


def _summary(tally: Tally, out: str) -> None:
    """A rich table when stderr is a terminal, plain lines otherwise."""
    if not sys.stderr.isatty():
        for line in summary_lines(tally, out):
            _say(line)
        return
    from rich.console import Console
    from rich.table import Table

    grid = Table(title="jinlong extract", show_header=False, title_justify="left")
    grid.add_column(style="bold")
    grid.add_column()
    for line in summary_lines(tally, out):
        key, _, rest = line.partition(": ")
        grid.add_row(key, rest)
    Console(stderr=True).print(grid)


def register(app: typer.Typer) -> None:
    """Add the ``extract`` command to the app."""
    app.command("extract")(extract)

