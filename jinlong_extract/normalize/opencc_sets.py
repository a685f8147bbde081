"""Character sets derived from OpenCC's own dictionaries, for a cheap script test.

:func:`jinlong_extract.normalize.steps.detect_script` needs the share of Han characters that
OpenCC ``t2s`` (and ``s2t``) changes in a sample. Running the converter on every document just
to learn that a simplified page has none is most of the stage's cost, so the share is first
bounded from the dictionaries:

* ``changed`` — every character some dictionary entry changes (key char != value char at the
  same position). A character outside this set is never changed by the conversion, so the
  count of ``changed`` characters is an upper bound of the changed count.
* ``always`` — characters that have a single-character entry changing them and that no entry
  keeps unchanged: whichever entry covers such a character changes it, so their count is a
  lower bound.
* ``reshaping`` — characters of keys whose value has another length: when one occurs, output
  positions no longer line up with the input and the bounds do not hold (the caller then runs
  the converter, as before).

The sets are regenerated from the installed OpenCC with ``python -m
jinlong_extract.normalize.opencc_sets`` (it dumps the ``.ocd2`` dictionaries with the
``opencc_dict`` tool shipped in the OpenCC wheel) and written to ``data/opencc_sets.toml``. At
run time :func:`char_sets` also asks the live converter about every single Han character (one
call, ~2 ms), so a different OpenCC version can only make the bounds wider, never wrong at the
character level; ``tests/test_normalize.py`` checks the shipped file against the live data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache

#: the Han ranges the script test samples (same as ``steps._HAN``)
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
CONFIGS = ("t2s", "s2t")


def _han_chars() -> list[str]:
    return [chr(c) for lo, hi in HAN_RANGES for c in range(lo, hi + 1)]


def _in_han(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in HAN_RANGES)


# ------------------------------------------------------------------------ build time (dictionaries)
def _opencc_dirs() -> tuple[str, str]:
    import opencc

    base = os.path.join(os.path.dirname(opencc.__file__), "clib")
    return os.path.join(base, "share", "opencc"), os.path.join(base, "bin", "opencc_dict")


def _dict_files(node: object) -> list[str]:
    """Every ``.ocd2`` file named in a config (normalisation and conversion chain)."""
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "ocd2" and "file" in node:
            out.append(node["file"])
        for v in node.values():
            out += _dict_files(v)
    elif isinstance(node, list):
        for v in node:
            out += _dict_files(v)
    return out


def dictionary_entries(config: str) -> dict[str, list[tuple[str, str]]]:
    """``{dictionary file: [(key, default value)]}`` of an OpenCC config, dumped with ``opencc_dict``."""
    share, tool = _opencc_dirs()
    with open(os.path.join(share, f"{config}.json"), encoding="utf-8") as fh:
        files = _dict_files(json.load(fh))
    out: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            dst = os.path.join(tmp, name + ".txt")
            subprocess.run([tool, "-i", os.path.join(share, name), "-o", dst, "-f", "ocd2", "-t", "text"], check=True)
            rows = []
            with open(dst, encoding="utf-8") as fh:
                for line in fh:
                    line = line.rstrip("\n")
                    if line:
                        key, values = line.split("\t", 1)
                        rows.append((key, values.split(" ")[0]))  # OpenCC outputs the first candidate
            out[name] = rows
    return out


def derive(entries: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """``changed`` / ``always`` / ``reshaping`` (Han characters only, sorted) from dictionary entries."""
    changed: set[str] = set()
    kept: set[str] = set()
    reshaping: set[str] = set()
    single: set[str] = set()
    normalising: set[str] = set()
    for name, rows in entries.items():
        is_norm = name.startswith("CJK_Compatibility")
        for key, value in rows:
            if len(key) != len(value):
                reshaping.update(key)
                continue
            for a, b in zip(key, value):
                if a != b:
                    changed.add(a)
                else:
                    kept.add(a)
            if is_norm:
                normalising.update(a for a, b in zip(key, value) if a != b)
            elif len(key) == 1 and key != value:
                single.add(key)
    # a compatibility ideograph normalised into a reshaping key can reshape too
    norm_of = {k: v for name, rows in entries.items() if name.startswith("CJK_Compatibility") for k, v in rows}
    reshaping |= {k for k, v in norm_of.items() if set(v) & reshaping}
    always = single - kept - reshaping - normalising
    return {
        name: "".join(sorted(c for c in chars if _in_han(c)))
        for name, chars in (("changed", changed), ("always", always), ("reshaping", reshaping))
    }


def main() -> None:  # pragma: no cover - build-time tool
    import opencc

    from jinlong_extract.data import data_path

    lines = [
        "# Han characters OpenCC's dictionaries change, derived by jinlong_extract/normalize/opencc_sets.py",
        f"# from OpenCC {opencc.__version__} (python -m jinlong_extract.normalize.opencc_sets). Do not edit by hand.",
        "# changed: some entry changes the character (upper bound of the changed count)",
        "# always: every entry covering the character changes it (lower bound)",
        "# reshaping: the character is in a key whose value has another length (bounds do not hold)",
    ]
    for config in CONFIGS:
        sets = derive(dictionary_entries(config))
        lines.append(f"\n[{config}]")
        lines += [f'{k} = "{v}"' for k, v in sets.items()]
    with open(data_path("opencc_sets.toml"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote", data_path("opencc_sets.toml"), file=sys.stderr)


# ------------------------------------------------------------------------ run time
@dataclass(frozen=True)
class CharSets:
    changed: frozenset[str]
    always: frozenset[str]
    reshaping: frozenset[str]


def live_single_changes(converter) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """``{ch: converted}`` for every Han character the converter changes on its own."""
    chars = _han_chars()
    out = converter.convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # pragma: no cover - a converter that eats line breaks
        raise RuntimeError("OpenCC changed the number of lines")
    return {a: b for a, b in zip(chars, out) if a != b}


@lru_cache(maxsize=None)
def char_sets(config: str, converter) -> CharSets:  # type: ignore[no-untyped-def]
    """The shipped sets for ``config``, widened by what the live ``converter`` does to single characters."""
    from jinlong_extract.data import load_table

    shipped = load_table("opencc_sets")[config]
    live = live_single_changes(converter)
    reshaping = set(shipped["reshaping"]) | {a for a, b in live.items() if len(b) != 1}
    changed = set(shipped["changed"]) | set(live)
    always = (set(shipped["always"]) & set(live)) - reshaping
    return CharSets(frozenset(changed), frozenset(always), frozenset(reshaping))


if __name__ == "__main__":  # pragma: no cover
    main()
