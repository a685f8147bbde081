"""jinlong — grounded tables of figures from Chinese news articles.

The library API (the CLI is a thin layer over it)::

    from jinlong_extract import extract_text, extract_paths, find_numbers, load

    facts = extract_text("截至目前，累计投入财政援助资金64.5亿元。", doc_date="2024-07-19")
    run = extract_paths(["corpus/"])          # documents, facts, entities, reconciled, series
    numbers = find_numbers("签约112个项目")    # every number with span and value
    tables = load("output/")                  # the written tables as pandas DataFrames

Heavy modules load lazily, so importing the package (and ``jinlong --help``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import DEFAULT_OPTIONS, Options
from .records import (
    DOCUMENT_COLUMNS,
    FACT_COLUMNS,
    Article,
    Document,
    DocumentResult,
    Entity,
    Fact,
    Mention,
    Reconciled,
    SeriesPoint,
)

__version__ = "0.1.0"

__all__ = [
    "extract_text", "extract_paths", "find_numbers", "load", "process_document",
    "Options", "DEFAULT_OPTIONS", "Fact", "Document", "Article", "Entity", "Mention", "Reconciled",
    "SeriesPoint", "DocumentResult", "FACT_COLUMNS", "DOCUMENT_COLUMNS", "__version__",
]

_LAZY = {
    "extract_text": ("pipeline", "extract_text"),
    "extract_paths": ("pipeline", "extract_paths"),
    "process_document": ("pipeline", "process_document"),
    "find_numbers": ("figures.numerals", "find_numbers"),
    "load": ("export", "load"),
}

if TYPE_CHECKING:  # pragma: no cover
    from .export import load
    from .figures.numerals import find_numbers
    from .pipeline import extract_paths, extract_text, process_document


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
