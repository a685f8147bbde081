"""Normalisation: decoded original -> normalised text, with a map back to the original.

Steps, each a small pure function in :mod:`jinlong_extract.normalize.steps`, composed here:

1. :func:`~.steps.repair_mojibake` — GBK runs decoded one byte out of step (``?。ㄒ唬`` ->
   ``（一）``); what cannot be repaired is listed in :attr:`TextMap.unrepaired`.
2. :func:`~.steps.strip_pinyin_glosses` — ``產(chǎn)品`` -> ``產品``.
3. :func:`~.steps.to_simplified` — OpenCC ``t2s``, only when the text has traditional characters.
4. :func:`~.steps.fold_width` — ``１２３．５％`` -> ``123.5%``; ``（）`` -> ``()``; keeps ，。；：、！？“”.
5. :func:`~.steps.join_broken_lines` — ``北辰经济技术\\n\\n开发区`` -> ``北辰经济技术开发区``.

>>> tm = normalize("1400余萬(wàn)元")
>>> tm.text
'1400余万元'
>>> tm.original[slice(*tm.to_original(0, 7))]
'1400余萬(wàn)元'
"""

from __future__ import annotations

from jinlong_extract.normalize.boilerplate import find_boilerplate, is_boilerplate_line, merge_ranges
from jinlong_extract.normalize.steps import (
    detect_script,
    fold_width,
    join_broken_lines,
    repair_mojibake,
    strip_pinyin_glosses,
    to_simplified,
)
from jinlong_extract.normalize.textmap import EditMap, TextMap, apply_edits

__all__ = [
    "EditMap",
    "TextMap",
    "apply_edits",
    "detect_script",
    "find_boilerplate",
    "fold_width",
    "is_boilerplate_line",
    "join_broken_lines",
    "merge_ranges",
    "normalize",
    "repair_mojibake",
    "strip_pinyin_glosses",
    "to_simplified",
]


def normalize(original: str, *, to_simplified: bool = True, script: str | None = None) -> TextMap:
    """Normalise ``original`` and keep the offset map back to it.

    ``script`` (``simplified``/``traditional``/``mixed``) may be passed when already known;
    otherwise it is detected on a sample. OpenCC only runs when it is not ``simplified``.
    """
    maps: list[EditMap] = []
    text, m, unrepaired = repair_mojibake(original)
    maps.append(m)
    text, m = strip_pinyin_glosses(text)
    maps.append(m)
    unrepaired = [m.inverse_span(s, e) for s, e in unrepaired]
    if to_simplified:
        if script is None:
            script = detect_script(text)
        if script != "simplified":
            text, _ = _t2s(text)
    text, _ = fold_width(text)
    text, m = join_broken_lines(text, is_boilerplate_line)
    maps.append(m)
    unrepaired = [m.inverse_span(s, e) for s, e in unrepaired]
    return TextMap(original, text, maps, merge_ranges(unrepaired))


_t2s = to_simplified
