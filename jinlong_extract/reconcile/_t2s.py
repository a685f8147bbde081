"""Traditional -> simplified folding for the reconciler's keys (subjects, copy fingerprints).

OpenCC is imported on first use only, and conversions of short keys are cached.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Fold traditional characters to simplified (OpenCC t2s).

    >>> to_simplified("津隴共振興")
    '津陇共振兴'
    """
    if not text or text.isascii():
        return text
    return _converter().convert(text)


@lru_cache(maxsize=65536)
def simplified_key(text: str) -> str:
    """Cached :func:`to_simplified` of a short key, stripped of surrounding whitespace."""
    return to_simplified(text.strip())
