"""Build a large, realistic benchmark corpus from the seed and dev articles.

Every generated file is a *variant* of one seed article, never a byte-identical copy:

* every number (``149.53``, ``3825``, ``39.4``) gets new digits of the same length and precision,
  so figure density and shapes (``1400余萬元``, ``3至5个``) stay the same;
* years (``2024年``) and ISO dates are shifted by the same few years across the file;
* place names from :data:`PLACES` are swapped for others of the list, consistently per file;
* about 1 in 10 files is written in GB18030 and 1 in 20 converted to traditional characters
  (OpenCC ``s2t``), as real crawls are.

Usage::

    python bench/make_corpus.py bench/out/corpus_10mb --size-mb 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "dev").glob("*.txt"))

#: Places that occur in the seeds or are plausible partners in the same kind of story
#: (east-west cooperation, aid programmes, investment fairs). Longer names first so that
#: 甘肃省 is swapped as a whole before 甘肃 could match inside it.
PLACES = sorted(
    [
        "天津", "甘肃", "西藏", "昌都", "武威", "静海", "新疆", "和田", "河北", "承德", "张家口",
        "重庆", "四川", "甘南", "庆阳", "定西", "陇南", "平凉", "天水", "兰州", "临夏", "宁夏",
        "青海", "海西", "贵州", "遵义", "云南", "昭通", "内蒙古", "赤峰", "山东", "青岛", "江苏",
        "苏州", "浙江", "杭州", "广东", "深圳", "福建", "厦门", "辽宁", "大连", "北京", "上海",
    ],
    key=len,
    reverse=True,
)
_PLACE_RE = re.compile("|".join(map(re.escape, PLACES)))
# years first (19xx/20xx before 年 or in an ISO date), then any other number
_NUM_RE = re.compile(
    r"(?P<year>(?:19|20)\d\d)(?=年|-\d\d?-\d\d?)"
    r"|(?P<num>\d+(?:\.\d+)?)"
)


def _vary_number(text: str, rng: random.Random) -> str:
    """Same number of digits before and after the point; no new leading zero."""
    whole, _, frac = text.partition(".")
    if len(whole) == 1:
        new_whole = str(rng.randint(1, 9)) if whole != "0" else "0"
    else:
        new_whole = str(rng.randint(10 ** (len(whole) - 1), 10 ** len(whole) - 1))
    if frac:
        return new_whole + "." + "".join(str(rng.randint(0, 9)) for _ in frac)
    return new_whole


def make_variant(text: str, rng: random.Random) -> str:
    """One variant of ``text``: new figures, shifted years, swapped places."""
    shift = rng.randint(-4, 2)
    swap = {p: rng.choice(PLACES) for p in PLACES}

    def num(m: re.Match[str]) -> str:
        if m.group("year"):
            return str(int(m.group("year")) + shift)
        return _vary_number(m.group("num"), rng)

    text = _NUM_RE.sub(num, text)
    return _PLACE_RE.sub(lambda m: swap[m.group()], text)


def build_corpus(out_dir: str | Path, size_mb: float, seed: int = 0) -> dict[str, float]:
    """Write variants into ``out_dir`` (1000 files per sub-folder) until ``size_mb`` MB.

    Re-uses an existing corpus of the same size and seed (``<out_dir>.manifest.json``).
    Returns ``{"files": n, "bytes": total, "seconds": t}``.
    """
    out = Path(out_dir)
    manifest = out.parent / f"{out.name}.manifest.json"  # beside, not inside: not an input
    if manifest.exists():
        info = json.loads(manifest.read_text())
        if info.get("size_mb") == size_mb and info.get("seed") == seed:
            return info
    t0 = time.perf_counter()
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    rng = random.Random(seed)
    to_trad = None
    try:
        import opencc

        to_trad = opencc.OpenCC("s2t")
    except Exception:  # optional: without OpenCC every file stays simplified
        pass
    target = int(size_mb * 1_000_000)
    total = files = 0
    while total < target:
        text = make_variant(seeds[files % len(seeds)], rng)
        roll = rng.random()
        encoding = "utf-8"
        if roll < 0.05 and to_trad is not None:
            text = to_trad.convert(text)
        elif roll < 0.15:
            encoding = "gb18030"
        data = text.encode(encoding, errors="replace")
        folder = out / f"part{files // 1000:04d}"
        if files % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{files:07d}.txt").write_bytes(data)
        total += len(data)
        files += 1
    info = {"size_mb": size_mb, "seed": seed, "files": files, "bytes": total,
            "seconds": round(time.perf_counter() - t0, 2)}
    manifest.write_text(json.dumps(info))
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--size-mb", type=float, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    info = build_corpus(args.out_dir, args.size_mb, args.seed)
    print(json.dumps(info), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
