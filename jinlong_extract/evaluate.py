"""Score extracted facts against a gold annotation file (``tests/data/dev/GOLD_SCHEMA.md``).

Matching, per document (gold ``doc`` is a file name, a fact's ``doc`` a relative path: they are
compared on the base name):

* a predicted fact matches a gold row when their ``text`` is equal once all whitespace is removed
  (the gold keeps line breaks inside a figure, e.g. ``"200\\n\\n余家"``);
* among equal texts, gold rows (in file order) and facts (ordered by ``start``) are paired in
  document order, one to one;
* facts of documents without any gold row are left out (reported as "ignored"), unless
  ``all_docs=True`` / ``--all-docs``, which counts them as false positives;
* a pair counts as a true positive of its kind only if the kinds agree; otherwise it is a false
  positive for the predicted kind and a false negative for the gold kind. Unpaired facts are false
  positives, unpaired gold rows false negatives.

Precision/recall/F1 are given per kind and overall (micro: summed over kinds). Attribute accuracy
is measured over every text-matched pair (kinds agreeing or not) for ``value`` (relative
difference ≤ 1e-6), ``qualifier``, ``unit``, ``year``, ``cumulative``, ``metric`` and ``object``
(exact equality after trimming; null equals null).

Example::

    >>> gold = [{"doc": "a.txt", "text": "3至5个", "kind": "count", "value": 3}]
    >>> facts = [{"doc": "dir/a.txt", "text": "3至5个", "kind": "count", "value": 3.0, "start": 10}]
    >>> evaluate(gold, facts).overall.f1
    1.0
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from jinlong_extract.errors import GoldError, InputError, JinlongError
from jinlong_extract.records import KINDS

#: Attributes scored on matched figures, in the order they are printed.
ATTRIBUTES: tuple[str, ...] = ("value", "qualifier", "unit", "year", "cumulative", "metric", "object")
#: Relative tolerance for ``value``.
VALUE_TOLERANCE = 1e-6

_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Score:
    """True/false positives and false negatives, with precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(slots=True)
class Evaluation:
    """The result of :func:`evaluate`."""

    kinds: dict[str, Score]
    overall: Score
    #: attribute -> (correct, total) over the text-matched pairs
    attributes: dict[str, tuple[int, int]]
    matched: int = 0
    #: facts left out because their document has no gold row (see ``all_docs``)
    ignored: int = 0
    ignored_docs: int = 0
    #: per document (base name) scores
    documents: dict[str, Score] = field(default_factory=dict)
    unmatched_gold: list[dict[str, Any]] = field(default_factory=list)
    unmatched_pred: list[dict[str, Any]] = field(default_factory=list)
    #: matched pairs whose kinds disagree: (gold, predicted)
    kind_mismatches: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    #: matched pairs with at least one wrong attribute: (gold, predicted, [attributes])
    attribute_errors: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = field(default_factory=list)

    def accuracy(self, attribute: str) -> float:
        correct, total = self.attributes[attribute]
        return correct / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": {k: s.to_dict() for k, s in self.kinds.items()},
            "overall": self.overall.to_dict(),
            "matched": self.matched,
            "ignored": self.ignored,
            "documents": {d: s.to_dict() for d, s in self.documents.items()},
            "attributes": {
                a: {"correct": c, "total": t, "accuracy": (c / t if t else 0.0)} for a, (c, t) in self.attributes.items()
            },
            "unmatched_gold": len(self.unmatched_gold),
            "unmatched_pred": len(self.unmatched_pred),
        }


def _key(text: Any) -> str:
    return _SPACE.sub("", str(text or ""))


def _base(doc: Any) -> str:
    return os.path.basename(str(doc or "").replace("\\", "/"))


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _same_value(gold: Any, pred: Any) -> bool:
    g, p = _number(gold), _number(pred)
    if g is None or p is None:
        return g is None and p is None
    if g == p:
        return True
    return abs(g - p) <= VALUE_TOLERANCE * max(abs(g), abs(p))


def _text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _year(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "t"}
    return bool(value) if value is not None and value == value else False


def _attribute_ok(name: str, gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    g, p = gold.get(name), pred.get(name)
    if name == "value":
        return _same_value(g, p)
    if name == "year":
        return _year(g) == _year(p)
    if name == "cumulative":
        return _flag(g) == _flag(p)
    return _text_or_none(g) == _text_or_none(p)


def evaluate(gold: Iterable[dict[str, Any]], facts: Iterable[dict[str, Any]], *, all_docs: bool = False) -> Evaluation:
    """Match facts to gold rows and score them (see the module docstring for the rules).

    Facts of documents that have no gold row are left out (counted in ``ignored``) unless
    ``all_docs`` is true, so a run over more files than were annotated can still be scored.

    >>> gold = [{"doc": "a.txt", "text": "5家", "kind": "count"}, {"doc": "a.txt", "text": "2%", "kind": "percent"}]
    >>> facts = [{"doc": "a.txt", "text": "5家", "kind": "count", "start": 0}, {"doc": "a.txt", "text": "9吨", "kind": "quantity", "start": 5}]
    >>> ev = evaluate(gold, facts)
    >>> (ev.overall.tp, ev.overall.fp, ev.overall.fn)
    (1, 1, 1)
    """
    gold_by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in gold:
        gold_by_doc.setdefault(_base(row.get("doc")), []).append(row)
    pred_by_doc: dict[str, list[dict[str, Any]]] = {}
    ignored_docs: set[str] = set()
    ignored = 0
    for row in facts:
        doc = _base(row.get("doc"))
        if not all_docs and doc not in gold_by_doc:
            ignored += 1
            ignored_docs.add(doc)
            continue
        pred_by_doc.setdefault(doc, []).append(row)

    kinds: dict[str, Score] = {k: Score() for k in KINDS}

    def score(kind: Any) -> Score:
        name = str(kind or "")
        if name not in kinds:
            kinds[name] = Score()
        return kinds[name]

    attributes = {a: [0, 0] for a in ATTRIBUTES}
    result = Evaluation(kinds=kinds, overall=Score(), attributes={}, ignored=ignored, ignored_docs=len(ignored_docs))
    for doc in sorted(set(gold_by_doc) | set(pred_by_doc)):
        per_doc = result.documents[doc] = Score()
        gold_rows = gold_by_doc.get(doc, [])
        pred_rows = sorted(pred_by_doc.get(doc, []), key=lambda r: (_number(r.get("start")) or 0.0))
        by_text: dict[str, list[dict[str, Any]]] = {}
        for row in pred_rows:
            by_text.setdefault(_key(row.get("text")), []).append(row)
        taken: set[int] = set()
        for g in gold_rows:
            queue = by_text.get(_key(g.get("text")))
            if not queue:
                score(g.get("kind")).fn += 1
                per_doc.fn += 1
                result.unmatched_gold.append(g)
                continue
            p = queue.pop(0)
            taken.add(id(p))
            result.matched += 1
            if g.get("kind") == p.get("kind"):
                score(p.get("kind")).tp += 1
                per_doc.tp += 1
            else:
                score(p.get("kind")).fp += 1
                score(g.get("kind")).fn += 1
                per_doc.fp += 1
                per_doc.fn += 1
                result.kind_mismatches.append((g, p))
            wrong = []
            for name in ATTRIBUTES:
                ok = _attribute_ok(name, g, p)
                attributes[name][0] += ok
                attributes[name][1] += 1
                if not ok:
                    wrong.append(name)
            if wrong:
                result.attribute_errors.append((g, p, wrong))
        for p in pred_rows:
            if id(p) not in taken:
                score(p.get("kind")).fp += 1
                per_doc.fp += 1
                result.unmatched_pred.append(p)
    result.attributes = {a: (c, t) for a, (c, t) in attributes.items()}
    result.overall = Score(
        tp=sum(s.tp for s in kinds.values()),
        fp=sum(s.fp for s in kinds.values()),
        fn=sum(s.fn for s in kinds.values()),
    )
    return result


# ---------------------------------------------------------------------------------------------
# reading the two files

_GOLD_REQUIRED = ("doc", "text", "kind")


def _read_utf8(path: str | os.PathLike[str], error: type[JinlongError]) -> str:
    """A whole UTF-8 file (BOM dropped); a missing, undecodable or unreadable one raises ``error``."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        raise error(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise error(str(path), "not UTF-8 text") from None
    except OSError as err:
        raise error(str(path), f"cannot read ({err.strerror or err})") from None


def load_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a gold JSONL file; raises :class:`GoldError` naming the file, line and problem."""
    name = str(path)
    lines = _read_utf8(path, GoldError).splitlines()
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as err:
            raise GoldError(name, f"line {number}: not JSON ({err.msg})") from None
        if not isinstance(row, dict):
            raise GoldError(name, f"line {number}: not a JSON object")
        missing = [k for k in _GOLD_REQUIRED if not row.get(k)]
        if missing:
            raise GoldError(name, f"line {number}: missing {', '.join(missing)}")
        if row["kind"] not in KINDS:
            raise GoldError(name, f"line {number}: unknown kind {row['kind']!r} (one of {', '.join(KINDS)})")
        rows.append(row)
    if not rows:
        raise GoldError(name, "no gold rows")
    return rows


def load_facts(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read extracted facts: ``facts.json`` (array), ``facts.jsonl``, ``facts.csv``, or an output
    directory holding one of them. Raises :class:`InputError` naming the file and problem."""
    p = Path(path)
    if p.is_dir():
        for name in ("facts.json", "facts.jsonl", "facts.csv"):
            if (p / name).is_file():
                p = p / name
                break
        else:
            raise InputError(str(path), "no facts.json / facts.jsonl / facts.csv in this directory")
    name = str(p)
    text = _read_utf8(p, InputError)
    if p.suffix == ".csv":
        return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            rows = json.loads(text)
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as err:
        raise InputError(name, f"not JSON or JSON Lines ({err})") from None
    if not all(isinstance(r, dict) for r in rows):
        raise InputError(name, "expected JSON objects, one per fact")
    return rows


# ---------------------------------------------------------------------------------------------
# presentation


def _where(row: dict[str, Any]) -> str:
    where = _base(row.get("doc"))
    if row.get("start") not in (None, ""):
        where += f"@{row['start']}"
    return where


def _show(row: dict[str, Any]) -> str:
    return json.dumps(_key(row.get("text")), ensure_ascii=False)


def format_details(ev: Evaluation) -> str:
    """The ``--verbose`` listing: unmatched gold, unmatched predictions, kind and attribute errors."""
    lines = [f"per document ({len(ev.documents)}):"]
    for doc, s in ev.documents.items():
        lines.append(f"  {doc:<28} P {s.precision:5.3f}  R {s.recall:5.3f}  F1 {s.f1:5.3f}   tp {s.tp:4d} fp {s.fp:4d} fn {s.fn:4d}")
    lines.append(f"unmatched gold ({len(ev.unmatched_gold)}):")
    lines += [f"  {_where(g)}  {_show(g)}  {g.get('kind')}  {g.get('value')}" for g in ev.unmatched_gold]
    lines.append(f"unmatched predictions ({len(ev.unmatched_pred)}):")
    lines += [f"  {_where(p)}  {_show(p)}  {p.get('kind')}  {p.get('value')}" for p in ev.unmatched_pred]
    lines.append(f"kind mismatches ({len(ev.kind_mismatches)}):")
    lines += [f"  {_where(p)}  {_show(g)}  gold {g.get('kind')} / predicted {p.get('kind')}" for g, p in ev.kind_mismatches]
    lines.append(f"attribute errors ({len(ev.attribute_errors)}):")
    for g, p, wrong in ev.attribute_errors:
        diffs = ", ".join(f"{a}: gold {g.get(a)!r} / predicted {p.get(a)!r}" for a in wrong)
        lines.append(f"  {_where(p)}  {_show(g)}  {diffs}")
    return "\n".join(lines)


def format_table(ev: Evaluation) -> str:
    """A compact plain-text table. Its LAST 12 lines are always: one line per kind (4), the
    overall line, then one line per attribute (7); each line is self-describing, so
    ``tail -n 12`` of it reads on its own."""
    head = [
        f"matched {ev.matched} figures by text; unmatched gold {len(ev.unmatched_gold)}, "
        f"unmatched predictions {len(ev.unmatched_pred)}, kind mismatches {len(ev.kind_mismatches)}"
        + (f"; ignored {ev.ignored} predictions in {ev.ignored_docs} documents without gold" if ev.ignored else ""),
        f"{'':<10} {'P':>6} {'R':>6} {'F1':>6}   {'tp':>5} {'fp':>5} {'fn':>5}",
    ]
    extra = [k for k in ev.kinds if k not in KINDS]
    if extra:  # unknown predicted kinds: listed above the fixed 12 lines
        for k in extra:
            s = ev.kinds[k]
            head.append(f"{'(' + k + ')':<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}   {s.tp:5d} {s.fp:5d} {s.fn:5d}")
    body = []
    for k in KINDS:
        s = ev.kinds[k]
        body.append(f"{k:<10} P {s.precision:5.3f}  R {s.recall:5.3f}  F1 {s.f1:5.3f}   tp {s.tp:4d} fp {s.fp:4d} fn {s.fn:4d}")
    s = ev.overall
    body.append(f"{'overall':<10} P {s.precision:5.3f}  R {s.recall:5.3f}  F1 {s.f1:5.3f}   tp {s.tp:4d} fp {s.fp:4d} fn {s.fn:4d}")
    for a in ATTRIBUTES:
        correct, total = ev.attributes[a]
        body.append(f"{'attr ' + a:<16} accuracy {ev.accuracy(a):5.3f}   ({correct}/{total} matched)")
    return "\n".join(head + body)
