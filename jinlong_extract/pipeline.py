"""The per-document pipeline and the library entry points.

``bytes -> ingest (decode, HTML, dates, articles) -> normalise (TextMap) -> figures (finder)
-> attribution (+ entities) -> Facts grounded in the original``, one document at a time.

* :func:`process_document` is the unit of work the engines (process pool, Dask) distribute;
  it never raises for bad input and returns a picklable :class:`~records.DocumentResult`.
* :func:`extract_text` runs it over one string; :func:`extract_paths` over files and folders,
  then merges entities and reconciles figures across documents.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import regex

from .errors import InputError, JinlongError
from .options import DEFAULT_OPTIONS, Options
from .records import Document, DocumentResult, Entity, Fact, Mention, Reconciled, SeriesPoint


@dataclass
class Run:
    """Everything one extraction produced."""

    results: list[DocumentResult] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    reconciled: list[Reconciled] = field(default_factory=list)
    series: list[SeriesPoint] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        return [r.document for r in self.results]

    @property
    def facts(self) -> list[Fact]:
        return [f for r in self.results for f in r.facts]

    @property
    def skipped(self) -> list[Document]:
        return [r.document for r in self.results if r.document.skipped]


def iter_sources(paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(relative path for the doc column, source)`` for files, folders (recursive), globs and ``-``."""
    from .ingest import discover

    yield from discover(list(paths))


def process_document(data: bytes | None, path: str, source: str = "", options: Options = DEFAULT_OPTIONS, *,
                     text: str | None = None, doc_date: str | None = None) -> DocumentResult:
    """Run one document through every per-document stage. Never raises for bad input.

    Give either the raw ``data`` bytes (decoded here) or an already decoded ``text``.
    """
    from . import ingest

    try:
        if text is not None:
            loaded = ingest.load_text(text, path, doc_date=doc_date or options.default_date, options=options)
        else:
            if data is None:
                data = ingest.read_source(source or path)
            loaded = ingest.load_bytes(data, path, source, options)
    except JinlongError as err:
        return DocumentResult(Document(path=path, source=source, skipped=True, errors=[err.reason]))
    except (OSError, UnicodeError, ValueError) as err:  # defensive: a reader bug must not stop a run
        return DocumentResult(Document(path=path, source=source, skipped=True, errors=[f"unreadable: {err}"]))
    return _extract_loaded(loaded, options, doc_date)


def _extract_loaded(loaded, options: Options, doc_date: str | None) -> DocumentResult:
    from .figures.attribution import attribute
    from .figures.finder import find_figures

    doc = loaded.document
    tm = loaded.text
    original = tm.original
    norm = tm.text
    facts: list[Fact] = []
    mentions: list[Mention] = []
    attrs = []
    find_mentions = subject_of = None
    if options.entities:
        try:
            from .entities import find_mentions, subject_of  # noqa: F811
        except ImportError:  # pragma: no cover - entities stage not installed
            find_mentions = subject_of = None
    # most documents need no normalising edit: then a normalised span is its original span
    to_original = tm.to_original if tm.maps else _same_span
    for art in loaded.articles:
        atext = norm[art.start:art.end]
        date = art.date or doc.date or doc_date or options.default_date
        figs = find_figures(atext, kinds=options.kinds, bare_currency=options.bare_currency)
        if art.boilerplate:
            rel = [(s - art.start, e - art.start) for s, e in art.boilerplate]
            figs = [f for f in figs if not any(s < f.end and f.start < e for s, e in rel)]
        art_mentions = find_mentions(atext, doc=doc.path, article=art.index) if find_mentions else []
        if art_mentions and figs:
            figs = _outside_places(figs, art_mentions)
        for a, f in zip(attribute(atext, figs, date=date, mentions=art_mentions, subject_of=subject_of), figs):
            os_, oe = to_original(art.start + f.start, art.start + f.end)  # a trailing pinyin gloss included
            facts.append(Fact(
                doc=doc.path, article=art.index, start=os_, end=oe, text=original[os_:oe], kind=f.kind,
                value=f.value, low=f.low, high=f.high, qualifier=f.qualifier, unit=f.unit, currency=f.currency,
                object=a.object, metric=a.metric, subject=a.subject, year=a.year, period_start=a.period_start,
                period_end=a.period_end, cumulative=a.cumulative, sentence=a.sentence, date=date,
                subject_ids=[], year_source=a.year_source,
            ))
            if a.subject_span is not None:
                # the subject as written in the original; until entities are merged across
                # documents it is known by its mention's span (see _link_subjects)
                ss, se = to_original(art.start + a.subject_span[0], art.start + a.subject_span[1])
                facts[-1].subject = original[ss:se]
                facts[-1].subject_ids = [f"@{ss}-{se}"]
            attrs.append(a)
        for m in art_mentions:
            os_, oe = to_original(art.start + m.start, art.start + m.end)
            m.start, m.end, m.text = os_, oe, original[os_:oe]
            mentions.append(m)
    _copy_repeated(facts, attrs)
    doc.facts = len(facts)
    doc.articles = len(loaded.articles)
    return DocumentResult(document=doc, facts=facts, mentions=mentions, article_meta=list(loaded.articles),
                          fingerprint=fingerprint(norm))


def _same_span(start: int, end: int) -> tuple[int, int]:
    return start, end


def _outside_places(figs: list, mentions: list[Mention]) -> list:
    """Drop figures whose numeral starts inside a place name and whose unit does not stand
    outside it: a numeral inside a place name is not a figure (长春九台, 五台山)."""
    order = sorted(range(len(figs)), key=lambda i: figs[i].start)
    starts = [figs[i].start for i in order]
    inside: set[int] = set()
    for m in mentions:
        if m.type != "LOC":
            continue
        s, e = m.start, m.end
        for k in range(bisect_left(starts, s), bisect_left(starts, e)):
            if e > figs[order[k]].unit_start:
                inside.add(order[k])
    return [f for i, f in enumerate(figs) if i not in inside] if inside else figs


def _copy_repeated(facts: list[Fact], attrs) -> None:
    """A figure repeated verbatim in one document (headline, summary, body) is one figure: a repeat
    with no time evidence of its own takes the year, period and cumulative flag (and a missing
    metric or object) of the best-attested mention."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(facts):
        groups.setdefault((f.kind, _squash(f.text)), []).append(i)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        # (between equally attested mentions, one with a year: a headline's repeat in a dated body)
        best = max(idx, key=lambda i: (attrs[i].evidence, facts[i].year is not None))
        src = facts[best]
        for i in idx:
            f = facts[i]
            if i == best or f.year_source is not None or f.cumulative or f.period_start is not None:
                continue
            if src.year is not None:
                f.year, f.year_source = src.year, "copy"
            f.period_start, f.period_end = src.period_start, src.period_end
            f.cumulative = src.cumulative
            f.metric = f.metric or src.metric
            f.object = f.object or src.object


_SQUASH = regex.compile(r"\s+")


def _squash(s: str) -> str:
    return _SQUASH.sub("", s)


#: everything but letters, digits and sentence ends (dropped before splitting into sentences)
_FP_DROP = regex.compile(r"[^\p{Han}A-Za-z0-9。！？!?\n]+")
_FP_SENTENCE = regex.compile(r"[。！？!?\n]")


def fingerprint(norm_text: str, *, min_chars: int = 8) -> list[int]:
    """Sorted CRC32 hashes of the text's sentences (letters and digits only), for detecting the
    same article republished with other furniture, encoding or script.

    >>> fingerprint("天津与甘肃签约112个项目。\\n（记者 王明）") == fingerprint("天津与甘肃 签约 112 个项目！")
    True
    """
    crc = zlib.crc32
    return sorted({crc(core.encode("utf-8")) for core in _FP_SENTENCE.split(_FP_DROP.sub("", norm_text))
                   if len(core) >= min_chars})


def extract_text(text: str, doc_date: str | None = None, options: Options | None = None) -> list[Fact]:
    """Facts of one text. Offsets are into ``text``.

    >>> [(f.text, f.kind, f.value, f.metric) for f in extract_text("2024年，签约项目112个，投资额达149.53亿元。")]
    [('112个', 'count', 112.0, '签约项目数'), ('149.53亿元', 'money', 14953000000.0, '投资额')]
    """
    options = options or DEFAULT_OPTIONS
    result = process_document(None, "<text>", "", options, text=text, doc_date=doc_date)
    if result.document.skipped:
        raise InputError("<text>", result.document.errors[0] if result.document.errors else "unreadable")
    return result.facts


def extract_paths(paths: Iterable[str] | str, *, options: Options | None = None, jobs: int | None = 1,
                  engine: str = "local", scheduler: str | None = None, cache_path: str | None = None,
                  progress: bool = False, reconcile: bool = True) -> Run:
    """Extract every file under ``paths`` (files, folders, globs, ``-``), merge entities and reconcile.

    >>> run = extract_paths(["corpus"])          # doctest: +SKIP
    >>> len(run.facts), len(run.reconciled)      # doctest: +SKIP
    """
    options = options or DEFAULT_OPTIONS
    if isinstance(paths, str):
        paths = [paths]
    sources = list(iter_sources(paths))
    results = list(run_documents(sources, options, jobs=jobs, engine=engine, scheduler=scheduler,
                                 cache_path=cache_path, progress=progress))
    return finish_run(results, options, reconcile=reconcile)


def run_documents(sources, options: Options, **kw) -> Iterator[DocumentResult]:
    """The engine (process pool / Dask / cache) when available, else in-process, in order."""
    try:
        from .engine import run_documents as engine_run
    except ImportError:  # pragma: no cover
        engine_run = None
    if engine_run is not None:
        yield from engine_run(sources, options, **kw)
        return
    for path, source in sources:  # pragma: no cover
        yield process_document(None, path, source, options)


def finish_run(results: list[DocumentResult], options: Options = DEFAULT_OPTIONS, *, reconcile: bool = True) -> Run:
    """The cross-document stages: entity merging, subject ids, reconciliation, series."""
    run = merge_run(results, options)
    if reconcile:
        reconcile_run(run)
    return run


def merge_run(results: list[DocumentResult], options: Options = DEFAULT_OPTIONS) -> Run:
    """The first cross-document stage: merge every article's mentions into entities and point each
    fact's ``subject_ids`` at its subject's entity. After it the facts and entities tables are final."""
    run = Run(results=results)
    if options.entities:
        try:
            from .entities import merge_entities
        except ImportError:  # pragma: no cover
            merge_entities = None
        if merge_entities is not None:
            run.entities = merge_entities(m for r in results for m in r.mentions)
            _link_subjects(run)
    return run


def reconcile_run(run: Run) -> Run:
    """The second cross-document stage: one row per real-world figure, and running-total series."""
    try:
        from .reconcile import reconcile as reconcile_figures
    except ImportError:  # pragma: no cover
        return run
    run.reconciled, run.series = reconcile_figures(run.results, run.entities)
    return run


def _link_subjects(run: Run) -> None:
    """Point each fact's ``subject_ids`` at the merged entity its subject mention belongs to
    (the per-document stage leaves ``@start-end``, the mention's span in the original)."""
    by_span: dict[tuple[str, int, int], str] = {}
    for e in run.entities:
        for m in e.mentions:
            by_span[(m.doc, m.start, m.end)] = e.id
    for r in run.results:
        for f in r.facts:
            if f.subject_ids and f.subject_ids[0].startswith("@"):
                s, e = f.subject_ids[0][1:].split("-")
                eid = by_span.get((f.doc, int(s), int(e)))
                f.subject_ids = [eid] if eid else []

