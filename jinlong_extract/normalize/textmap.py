"""Offset maps: how a string produced by a normalisation step maps back to its input.

A step never returns a per-character list of offsets. It returns the list of *edits* it made
(``input[start:end]`` replaced by some output text); everything between two edits is copied
unchanged, so positions there shift by a constant. Steps that change characters one for one
(full-width folding, OpenCC ``t2s`` on a line whose length it keeps) make no edits at all.

:class:`EditMap` answers "which input span does this output span come from" with two bisects;
:class:`TextMap` chains the maps of every step back to the decoded original.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate, chain
from operator import add, le, sub

Edit = tuple[int, int, str]  #: (input start, input end, replacement text)


class EditMap:
    """The edits one step made, in input order, with their output positions.

    >>> text, m = apply_edits("产(chǎn)品", [(1, 7, "")])
    >>> text, m.span(0, 2)
    ('产品', (0, 8))
    >>> m.span(1, 2)
    (7, 8)
    """

    __slots__ = ("in_starts", "in_ends", "out_starts", "out_ends")

    def __init__(self) -> None:
        self.in_starts: list[int] = []
        self.in_ends: list[int] = []
        self.out_starts: list[int] = []
        self.out_ends: list[int] = []

    def __len__(self) -> int:
        return len(self.in_starts)

    def _locate(self, pos: int) -> tuple[int, bool]:
        """Input position of output char ``pos``; the flag says it sits inside a replacement."""
        k = bisect_right(self.out_starts, pos) - 1
        # Several edits may share an output start (a deletion followed by a replacement);
        # bisect_right lands on the last one, which is the one that can contain ``pos``.
        if k < 0:
            return pos, False
        if pos < self.out_ends[k]:
            return k, True
        return pos - self.out_ends[k] + self.in_ends[k], False

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Half-open output span -> half-open input span (whole replaced segments, deletions
        strictly inside the span included, deletions at its edges excluded)."""
        if not self.in_starts:
            return start, end
        if end <= start:
            k, inside = self._locate(start)
            return (self.in_starts[k], self.in_starts[k]) if inside else (k, k)
        k, inside = self._locate(start)
        in_start = self.in_starts[k] if inside else k
        k, inside = self._locate(end - 1)
        in_end = self.in_ends[k] if inside else k + 1
        return in_start, in_end

    def inverse_span(self, start: int, end: int) -> tuple[int, int]:
        """Half-open input span -> the smallest output span covering what it became."""
        if not self.in_starts:
            return start, end
        k = bisect_right(self.in_starts, start) - 1
        if k >= 0 and start < self.in_ends[k]:
            out_start = self.out_starts[k]
        elif k >= 0:
            out_start = start - self.in_ends[k] + self.out_ends[k]
        else:
            out_start = start
        k = bisect_right(self.in_starts, max(end - 1, start)) - 1
        if k >= 0 and end - 1 < self.in_ends[k]:
            out_end = self.out_ends[k]
        elif k >= 0:
            out_end = end - self.in_ends[k] + self.out_ends[k]
        else:
            out_end = end
        return out_start, max(out_start, out_end)


def _apply_edits_loop(text: str, edits: Iterable[Edit]) -> tuple[str, EditMap]:
    """Reference implementation of :func:`apply_edits` (one edit at a time)."""
    emap = EditMap()
    pieces: list[str] = []
    pos = 0
    out = 0
    for start, end, repl in edits:
        if start < pos:
            raise ValueError(f"overlapping edit at {start}")
        if start == end and not repl:
            continue
        pieces.append(text[pos:start])
        out += start - pos
        emap.in_starts.append(start)
        emap.in_ends.append(end)
        emap.out_starts.append(out)
        pieces.append(repl)
        out += len(repl)
        emap.out_ends.append(out)
        pos = end
    if not emap.in_starts:
        return text, emap
    pieces.append(text[pos:])
    return "".join(pieces), emap


def edit_map(starts: list[int], ends: list[int], lengths: list[int]) -> EditMap:
    """The :class:`EditMap` of sorted, non-overlapping, non-empty edits given column-wise
    (input starts, input ends, replacement lengths); built with C-level ``map``/``accumulate``."""
    emap = EditMap()
    emap.in_starts = starts
    emap.in_ends = ends
    shifts = accumulate(map(sub, lengths, map(sub, ends, starts)), initial=0)
    emap.out_starts = list(map(add, starts, shifts))
    emap.out_ends = list(map(add, emap.out_starts, lengths))
    return emap


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, EditMap]:
    """Apply sorted, non-overlapping edits; return the new text and its :class:`EditMap`.

    >>> apply_edits("abcdef", [(1, 2, "XY"), (3, 3, ""), (4, 6, "")])[0]
    'aXYcd'
    """
    edits = edits if isinstance(edits, list) else list(edits)
    if len(edits) < 32:  # a few edits: the plain loop is cheaper than setting up the columns
        return _apply_edits_loop(text, edits)
    starts, ends, repls = map(list, zip(*edits))
    lengths = list(map(len, repls))
    # no-op edits (empty span, empty replacement), unsorted or overlapping edits: the loop
    if 0 in map(add, map(sub, ends, starts), lengths) or starts[0] < 0 or not all(map(le, ends[:-1], starts[1:])):
        return _apply_edits_loop(text, edits)
    pieces: list[str] = [""] * (2 * len(starts) + 1)
    pieces[0:-1:2] = map(text.__getitem__, map(slice, chain((0,), ends), starts))
    pieces[1::2] = repls
    pieces[-1] = text[ends[-1] :]
    return "".join(pieces), edit_map(starts, ends, lengths)


class TextMap:
    """Normalised text plus the way back to the original.

    ``text`` is the normalised text, ``original`` the decoded original. ``to_original`` maps a
    half-open span of ``text`` to the half-open span of ``original`` its characters came from,
    including anything deleted between them (pinyin glosses, joined line breaks, HTML tags).

    ``unrepaired`` lists normalised-text ranges of mojibake that could not be repaired: they must
    yield no facts (ingest adds them to each article's ``boilerplate`` ranges).

    >>> tm = TextMap("萬(wàn)元", "万元", [apply_edits("萬(wàn)元", [(1, 6, "")])[1]])
    >>> tm.to_original(0, 2)
    (0, 7)
    """

    __slots__ = ("text", "original", "maps", "unrepaired")

    def __init__(
        self,
        original: str,
        text: str,
        maps: list[EditMap] | None = None,
        unrepaired: list[tuple[int, int]] | None = None,
    ) -> None:
        self.original = original
        self.text = text
        #: step maps, first step first; empty maps are dropped
        self.maps = [m for m in (maps or []) if len(m)]
        self.unrepaired = unrepaired or []

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Half-open normalised span -> half-open original span."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside normalised text of length {len(self.text)}")
        for m in reversed(self.maps):
            start, end = m.span(start, end)
        return start, end

    def to_normalized(self, start: int, end: int) -> tuple[int, int]:
        """Half-open original span -> smallest normalised span covering what it became."""
        for m in self.maps:
            start, end = m.inverse_span(start, end)
        return start, end

    def original_text(self, start: int, end: int) -> str:
        """The original characters behind a normalised span (``original[to_original(...)]``)."""
        s, e = self.to_original(start, end)
        return self.original[s:e]

    def rebase(self, original: str, first: EditMap) -> TextMap:
        """This map, put on top of an earlier step (e.g. HTML stripping) over ``original``."""
        return TextMap(original, self.text, [first, *self.maps], list(self.unrepaired))

    def __repr__(self) -> str:
        return f"TextMap(len(text)={len(self.text)}, len(original)={len(self.original)}, steps={len(self.maps)})"
