"""The reconciler's comparison rules, read once from ``data/reconcile.toml``.

Everything that decides which mentions become one row (blocking keys, tolerances, approximation
markers, unit families, metric synonyms, conflict and series rules) is data; this module only turns
the table into one frozen object so the hot loops read attributes, not dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinlong_extract.data import load_table
from jinlong_extract.errors import JinlongError


@dataclass(frozen=True, slots=True)
class Rules:
    """The parsed ``reconcile.toml``. See the table for why each value is what it is."""

    # documents
    shingle: int
    num_perm: int
    bands: int
    max_bucket: int
    max_compare: int
    jaccard: float
    containment: float
    min_shingles: int
    # blocking / slot
    null_metric_uses_object: bool
    subject_override_digits: int
    attach_digits: int
    subject_equivalents: dict[str, str]
    # tolerance
    trailing_zeros_significant: bool
    max_rounding_pct: float
    epsilon: float
    approx_pct: float
    near_pct: float
    min_cap: float
    max_floor: float
    approx_markers: tuple[tuple[str, str], ...]
    # units / metrics
    unit_families: dict[str, str]
    metric_synonyms: dict[str, str]
    # conflicts
    require_subject: bool
    require_period: bool
    same_article_is_conflict: bool
    conflict_max_rows: int
    # series
    year_end: str
    sum_check: bool
    label_window: int

    def unit_family(self, unit: str | None) -> str | None:
        """The comparable family of a unit: ``个`` and ``项`` are both ``piece``; unknown units are
        their own family.

        >>> rules().unit_family("项"), rules().unit_family("人次")
        ('piece', 'person-time')
        """
        if unit is None:
            return None
        return self.unit_families.get(unit, unit)

    def metric(self, label: str | None) -> str | None:
        """The canonical metric of a label (synonyms from the table; others are their own).

        >>> rules().metric("实施协作项目数")
        '协作项目数'
        """
        if label is None:
            return None
        label = label.strip()
        if not label:
            return None
        return self.metric_synonyms.get(label, label)


#: Strategy entries of the table and the values the code implements: the table documents the
#: strategy, and any other value is refused rather than silently ignored.
IMPLEMENTED: dict[tuple[str, str], object] = {
    ("documents", "fallback"): "fact-sentences",
    ("block", "keys"): ["kind", "unit_family", "metric", "cumulative"],
    ("slot", "null_year"): "attach-if-unique",
    ("slot", "null_subject"): "attach-if-unique",
    ("slot", "period_contains_year"): False,
    ("slot", "same_sentence_repeats"): False,
    ("series", "decreasing"): "interval-below-previous",
    ("series", "null_metric"): "attach-if-unique",
}


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The rules from ``data/reconcile.toml`` (cached)."""
    t = load_table("reconcile")
    d, b, tol, c, s = t["documents"], t["block"], t["tolerance"], t["conflict"], t["series"]
    for (section, key), value in IMPLEMENTED.items():
        if t[section][key] != value:
            raise JinlongError("data/reconcile.toml", f"{section}.{key} = {t[section][key]!r} is not implemented "
                               f"(supported: {value!r})")
    if d["num_perm"] % d["bands"]:
        raise JinlongError("data/reconcile.toml", "documents.num_perm must be a multiple of documents.bands")
    return Rules(
        shingle=int(d["shingle"]),
        num_perm=int(d["num_perm"]),
        bands=int(d["bands"]),
        max_bucket=int(d["max_bucket"]),
        max_compare=int(d["max_compare"]),
        jaccard=float(d["jaccard"]),
        containment=float(d["containment"]),
        min_shingles=int(d["min_shingles"]),
        null_metric_uses_object=bool(b["null_metric_uses_object"]),
        subject_override_digits=int(t["slot"]["subject_override_digits"]),
        attach_digits=int(t["slot"]["attach_digits"]),
        subject_equivalents=dict(t.get("subject_equivalents", {})),
        trailing_zeros_significant=bool(tol["trailing_zeros_significant"]),
        max_rounding_pct=float(tol["max_rounding_pct"]),
        epsilon=float(tol["epsilon"]),
        approx_pct=float(tol["approx_pct"]),
        near_pct=float(tol["near_pct"]),
        min_cap=float(tol["min_cap"]),
        max_floor=float(tol["max_floor"]),
        approx_markers=tuple((m["marker"], m["mode"]) for m in t["approx_markers"]),
        unit_families=dict(t["unit_families"]),
        metric_synonyms=dict(t["metric_synonyms"]),
        require_subject=bool(c["require_subject"]),
        require_period=bool(c["require_period"]),
        same_article_is_conflict=bool(c["same_article_is_conflict"]),
        conflict_max_rows=int(c["max_rows"]),
        year_end=str(s["year_end"]),
        sum_check=bool(s["sum_check"]),
        label_window=int(s["label_window"]),
    )
