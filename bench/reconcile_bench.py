"""Benchmark of the reconciler: N synthetic figure mentions (default 100,000) -> rows and series.

The mentions vary in kind, metric (with synonyms), subject (some null), year (some null, some
periods), value (rounded, with 余/约/近/超/不到 qualifiers), cumulative flag, and include repeats:
the same figure restated in other articles, rounded differently, and republished copies of whole
documents (so document clustering runs too). Prints the wall time of each stage and peak memory.

    python bench/reconcile_bench.py            # 100,000 mentions
    python bench/reconcile_bench.py -n 20000 --seed 3

A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jinlong_extract.records import Document, DocumentResult, Fact  # noqa: E402

METRICS = {
    "money": ["投资额", "签约投资额", "合作总额", "签约总额", "到位资金", "财政援助资金", "消费帮扶", "采购", "捐赠", None],
    "count": ["签约项目数", "协作项目数", "实施协作项目数", "参会企业数", "引进企业数", None],
    "percent": ["增长率", "占比", None],
    "quantity": ["面积", "产量", None],
}
UNITS = {"money": ["元"], "count": ["个", "项", "家", "人", "人次"], "percent": ["%"], "quantity": ["亩", "吨"]}
SUBJECTS = [None] * 3 + [f"城市{i}" for i in range(60)] + ["天津市", "甘肃省", "津陇共振兴"]
YEARS = [None] * 3 + list(range(2015, 2025))


def _text(value: float, kind: str, unit: str, q: str, rng: random.Random) -> tuple[str, float]:
    """A written form of ``value`` (possibly rounded) and the value it denotes."""
    if kind == "money":
        yi = value / 1e8
        digits = rng.choice([0, 1, 2])
        shown = round(yi, digits)
        body = f"{shown:.{digits}f}亿{unit}"
        v = shown * 1e8
    else:
        digits = rng.choice([0, 0, 1]) if kind in ("percent", "quantity") else 0
        shown = round(value, digits)
        body = f"{shown:.{digits}f}{unit}"
        v = float(shown)
    prefix = {"approx": rng.choice(["约", "近", ""]), "min": "超", "max": "不到"}.get(q, "")
    if q == "approx" and not prefix:
        body = body.replace(unit, "余" + unit, 1)
    return prefix + body, v


def make_results(n: int, seed: int = 1) -> list[DocumentResult]:
    """``n`` mentions spread over articles of ~40 figures; ~30% restate an earlier figure."""
    rng = random.Random(seed)
    base: list[tuple] = []  # the real-world figures restated later
    docs: list[DocumentResult] = []
    made = 0
    d = 0
    while made < n:
        path = f"doc{d:06d}.txt"
        date = f"{rng.randint(2016, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        facts: list[Fact] = []
        pos = 0
        for _ in range(min(40, n - made)):
            if base and rng.random() < 0.3:
                kind, metric, subject, year, value, cum, unit = rng.choice(base)
                metric = rng.choice([metric, metric]) if metric else metric
            else:
                kind = rng.choice(["money", "money", "count", "count", "percent", "quantity"])
                metric = rng.choice(METRICS[kind])
                subject = rng.choice(SUBJECTS)
                year = rng.choice(YEARS)
                unit = rng.choice(UNITS[kind])
                scale = {"money": 10 ** rng.uniform(5, 11), "count": 10 ** rng.uniform(0, 5),
                         "percent": rng.uniform(0, 100), "quantity": 10 ** rng.uniform(1, 6)}[kind]
                value = scale
                cum = rng.random() < 0.2
                base.append((kind, metric, subject, year, value, cum, unit))
            q = rng.choices(["exact", "approx", "min", "max"], [80, 12, 5, 3])[0]
            text, v = _text(value, kind, unit, q, rng)
            period = (year - 2, year) if year and rng.random() < 0.05 else (None, None)
            facts.append(Fact(
                path, 0, pos, pos + len(text), text, kind, v, v if q != "max" else None, v if q != "min" else None,
                q, unit, "CNY" if kind == "money" else None, None, metric, subject,
                None if period[0] else year, period[0], period[1], cum, f"第{d}篇第{pos}句{text}", date))
            pos += len(text) + rng.randint(5, 200)
        made += len(facts)
        docs.append(DocumentResult(Document(path, date=date), facts))
        d += 1
        if made < n and rng.random() < 0.05:  # a republished copy of this document
            cpath = f"copy{d:06d}.txt"
            copy = [Fact(cpath, 0, f.start + 30, f.end + 30, f.text, f.kind, f.value, f.low, f.high, f.qualifier,
                         f.unit, f.currency, f.object, f.metric, f.subject, f.year, f.period_start, f.period_end,
                         f.cumulative, f.sentence, f.date) for f in facts[: n - made]]
            made += len(copy)
            docs.append(DocumentResult(Document(cpath, date=date), copy))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="number of figure mentions")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trace-memory", action="store_true",
                    help="also measure peak Python allocations with tracemalloc (slows the run ~2x)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    results = make_results(args.n, args.seed)
    t1 = time.perf_counter()
    from jinlong_extract.reconcile import copy_clusters
    from jinlong_extract.reconcile.figures import cluster_figures
    from jinlong_extract.reconcile.series import build_series

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.trace_memory:
        tracemalloc.start()
    c2 = time.process_time()
    t2 = time.perf_counter()
    gc.disable()  # as reconcile() does
    reps, why = copy_clusters(results)
    t3, c3 = time.perf_counter(), time.process_time()
    rows = cluster_figures(results, reps, why)
    t4, c4 = time.perf_counter(), time.process_time()
    series = build_series(rows)
    gc.enable()
    t5 = time.perf_counter()
    c5 = time.process_time()
    peak = tracemalloc.get_traced_memory()[1] if args.trace_memory else None
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    n_facts = sum(len(r.facts) for r in results)
    copies = sum(1 for p, rep in reps.items() if p != rep)
    print(f"mentions            {n_facts:,} in {len(results):,} documents (generated in {t1 - t0:.2f} s)")
    print(f"document clusters   {t3 - t2:6.2f} s   (CPU {c3 - c2:.2f} s)  {copies} copies found")
    print(f"figures             {t4 - t3:6.2f} s   (CPU {c4 - c3:.2f} s)  {len(rows):,} rows, "
          f"{sum(len(r.sorted_facts) > 1 for r in rows):,} merged, {sum(bool(r.conflict_with) for r in rows):,} in conflict")
    print(f"series              {t5 - t4:6.2f} s   {len(series):,} points, "
          f"{len({p.series for p in series}):,} series, {sum(p.flag is not None for p in series):,} flagged")
    print(f"reconcile total     {t5 - t2:6.2f} s   ({n_facts / (t5 - t2):,.0f} mentions/s); "
          f"CPU {c5 - c2:.2f} s (wall time suffers on a loaded machine, CPU time less)")
    traced = f"{peak / 2**20:.1f} MiB traced by tracemalloc, " if peak is not None else ""
    print(f"peak memory         {traced}max RSS {rss1 / 1024:.0f} MiB "
          f"({rss0 / 1024:.0f} MiB before reconciling: input + interpreter)")


if __name__ == "__main__":
    main()
