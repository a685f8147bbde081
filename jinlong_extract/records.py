"""The record types every stage shares.

One record type with source spans flows through the whole pipeline:

* :class:`Fact` — one figure mention (money, count, percent, quantity), grounded by
  ``start``/``end`` offsets into the *decoded original file*, so that
  ``original[start:end] == text`` always holds, whatever normalisation happened in between.
* :class:`Document` — one input file: where it came from, how it was decoded, which articles it holds.
* :class:`Article` — one article inside a document (a newspaper page may hold several).
* :class:`Entity` / :class:`Mention` — organisations, places, people and events (issue 3).
* :class:`Reconciled` / :class:`SeriesPoint` — the reconciler's outputs (issue 3).
* :class:`DocumentResult` — everything the per-document stage produces; picklable, so it can
  cross process and Dask worker boundaries and be stored in the incremental cache.

Offsets are Python slice offsets (half-open), never inclusive ends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: Figure kinds, in the order tables and summaries list them.
KINDS: tuple[str, ...] = ("money", "count", "percent", "quantity")

#: Qualifiers. ``approx``: 余/多/约/近/左右; ``min``: 超/逾/以上/突破/至少 (high is null);
#: ``max``: 不到/以内/不超过 (low is null); ``range``: 3至5个 (low, high).
QUALIFIERS: tuple[str, ...] = ("exact", "approx", "min", "max", "range")


@dataclass(slots=True)
class Fact:
    """One figure mention, grounded in the original file.

    The first twenty fields are the documented, stable column order of ``facts.csv``
    (see :data:`FACT_COLUMNS`); the rest are extra columns appended after them.
    """

    doc: str  #: path relative to the input root (or the name given for stdin / text)
    article: int  #: index of the article inside the document, from 0
    start: int  #: offset into the decoded original file (inclusive)
    end: int  #: offset into the decoded original file (exclusive)
    text: str  #: ``original[start:end]``, exactly as written (pinyin glosses, line breaks and all)
    kind: str  #: one of :data:`KINDS`
    value: float | None  #: normalised value in base units (元 for money, the plain number otherwise)
    low: float | None  #: lower bound of the interval the text allows (null for ``max``)
    high: float | None  #: upper bound (null for ``min``)
    qualifier: str  #: one of :data:`QUALIFIERS`
    unit: str | None  #: base unit: 元 / 美元 …, the measure word for counts, % / 个百分点, 亩, 吨 …
    currency: str | None  #: ISO 4217 code for money (CNY, USD …), else null
    object: str | None  #: for counts: the thing counted (项目, 企业 …) when the text says it
    metric: str | None  #: what the figure measures (签约金额, 投资额 …), from the trigger table
    subject: str | None  #: the organisation / place / event the clause is about, as written
    year: int | None  #: the year the figure refers to, if determined
    period_start: int | None  #: first year of an explicit period (2019年至2021年)
    period_end: int | None  #: last year of an explicit period
    cumulative: bool  #: running total (累计, 截至, 连续N年 …)
    sentence: str  #: the (normalised) sentence the figure stands in
    # ---- extra columns (stable, after the documented twenty) ----
    date: str | None = None  #: publication date of the article, ISO ``YYYY-MM-DD``
    subject_ids: list[str] = field(default_factory=list)  #: entity ids of the subject (issue 3)
    year_source: str | None = None  #: how ``year`` was found: explicit / relative / context / copy
    id: str = ""  #: stable id: ``{doc}#{start}-{end}``

    def __post_init__(self) -> None:
        if not self.id:
            self.id = f"{self.doc}#{self.start}-{self.end}"

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


#: Stable column order of the facts table (documented in README).
FACT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Fact))


@dataclass(slots=True)
class Article:
    """One article inside a document.

    ``start``/``end`` are offsets into the *normalised* document text
    (``Document.norm.text``); ``orig_start``/``orig_end`` into the original.
    """

    index: int
    start: int
    end: int
    orig_start: int = 0
    orig_end: int = 0
    headline: str | None = None
    date: str | None = None  #: ISO date, from the page / metadata / byline
    #: normalised-text ranges (absolute, into ``Document.norm.text``) that carry no facts:
    #: navigation, share widgets, copyright footers, page counters, unrepairable mojibake.
    boilerplate: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Document:
    """One input file, decoded and normalised."""

    path: str  #: path relative to the input root (``-`` for stdin)
    source: str = ""  #: absolute path or URL it was read from
    encoding: str | None = None  #: the encoding it was decoded with (utf-8, gb18030, big5 …)
    script: str | None = None  #: simplified / traditional / mixed
    date: str | None = None  #: publication date (ISO) of the document (first article's if several)
    articles: int = 0
    facts: int = 0
    errors: list[str] = field(default_factory=list)  #: one-line reasons (skipped files, warnings)
    sha256: str = ""  #: content hash of the raw bytes (cache key, republished-copy detection)
    size: int = 0  #: raw bytes
    skipped: bool = False
    url: str | None = None  #: where the page came from (a crawl manifest beside the file, or the URL read)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Stable column order of the documents table.
DOCUMENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Document))


@dataclass(slots=True)
class Mention:
    """One place an entity is named: ``original[start:end] == text``."""

    doc: str
    article: int
    start: int
    end: int
    text: str
    type: str  #: ORG / LOC / PER / EVENT
    canonical: str | None = None  #: resolved full form, when known at extraction time
    title: str | None = None  #: for people: the title as stated
    org: str | None = None  #: for people: the organisation named with them
    edition: int | None = None  #: for events: the year / edition referred to

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Entity:
    """A real-world entity with every mention of it (after alias merging)."""

    id: str
    type: str  #: ORG / LOC / PER / EVENT
    canonical: str  #: simplified, full form (甘肃省武威市, 天津安捷物联科技股份有限公司)
    aliases: list[str] = field(default_factory=list)  #: as written
    mentions: list[Mention] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  #: people: titles as stated
    parent: str | None = None  #: places: the parent division's canonical name
    rule: str | None = None  #: the rule(s) that merged its aliases

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Source:
    """One mention behind a reconciled figure."""

    fact_id: str
    doc: str
    article: int
    start: int
    end: int
    text: str
    value: float | None
    date: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Reconciled:
    """One row per real-world figure."""

    id: str
    kind: str
    metric: str | None
    subject: str | None  #: canonical subject
    subject_id: str | None
    year: int | None
    period_start: int | None
    period_end: int | None
    cumulative: bool
    unit: str | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    n_sources: int
    sources: list[Source] = field(default_factory=list)
    rule: str | None = None  #: the comparison rule that merged the sources
    conflict: bool = False
    conflict_with: list[str] = field(default_factory=list)  #: ids of conflicting rows
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class SeriesPoint:
    """One point of a cumulative series (subject, metric) ordered by the date it refers to."""

    series: str  #: series id
    subject: str | None
    metric: str | None
    unit: str | None
    as_of: str | None  #: the date the figure refers to (ISO), else publication date
    value: float | None
    reconciled_id: str
    fact_ids: list[str] = field(default_factory=list)
    flag: str | None = None  #: decreasing / sum-mismatch … for the analyst

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DocumentResult:
    """All the per-document stage produces. Picklable (crosses processes and Dask workers)."""

    document: Document
    facts: list[Fact] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    article_meta: list[Article] = field(default_factory=list)
    #: a fingerprint of the normalised text, for republished-copy detection (issue 3)
    fingerprint: list[int] = field(default_factory=list)
