"""Letting go of the per-document stage's memory before the cross-document stage (engine.memory)."""

from __future__ import annotations

from pathlib import Path

from jinlong_extract.data import load_table
from jinlong_extract.engine import memory
from jinlong_extract.entities import _context
from jinlong_extract.entities.orgs import expand_abbreviations
from jinlong_extract.figures.numerals import _evaluate
from jinlong_extract.pipeline import process_document
from jinlong_extract.reconcile.rules import rules

SEED = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*"))[0]


def _extract() -> tuple[list, list]:
    result = process_document(SEED.read_bytes(), SEED.name)
    return [f.to_dict() for f in result.facts], [m.to_dict() for m in result.mentions]


def test_release_clears_memo_caches_and_the_tokenizer_and_nothing_changes() -> None:
    before = _extract()
    rules()  # a one-entry cache of a rule table: kept
    assert _evaluate.cache_info().currsize > 0 and expand_abbreviations.cache_info().currsize > 0
    assert memory.release_document_caches() >= 5
    assert _evaluate.cache_info().currsize == 0 and expand_abbreviations.cache_info().currsize == 0
    assert _context.tokenizer.cache_info().currsize == 0 and _context._cut.cache_info().currsize == 0
    assert rules.cache_info().currsize == 1
    assert load_table.cache_info().currsize == 0  # (the gazetteer's tables too: loaded again if asked)
    assert _extract() == before  # rebuilt on demand


def test_trim_says_whether_the_c_library_can() -> None:
    import platform

    assert memory.trim() == (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
