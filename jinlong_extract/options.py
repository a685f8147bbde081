"""One options object threaded through every stage, with its defaults in one place.

The options also form part of the incremental cache key (issue 4): anything that changes
what the per-document stage outputs must be a field here, and :meth:`Options.cache_key`
covers every field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

#: Bumped whenever the extractor's code changes its output for the same input (an edited rule
#: table changes the cache key by itself: ``data.tables_fingerprint``).
EXTRACTOR_VERSION = "0.1.21"

#: Files larger than this are refused (one-line error, the run goes on).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: A single line longer than this is refused as not being an article.
MAX_LINE_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class Options:
    """What to extract and how. All fields have documented defaults."""

    #: figure kinds to keep (subset of ``records.KINDS``)
    kinds: tuple[str, ...] = ("money", "count", "percent", "quantity")
    #: run entity recognition (ORG/LOC/PER/EVENT) and subject linking (issue 3)
    entities: bool = True
    #: fold traditional characters to simplified before matching (OpenCC t2s)
    to_simplified: bool = True
    #: report currency names that carry no amount (人民币, 美元) as money facts with a null
    #: value, as Recognizers-Text's currency model does; off for news tables
    bare_currency: bool = False
    #: publication date to assume when a document has none (ISO date), resolves 今年/去年
    default_date: str | None = None
    #: encodings the detector may choose between (after BOM / strict UTF-8 / declared charset)
    encodings: tuple[str, ...] = ("utf-8", "gb18030", "big5")
    #: refuse files larger than this many bytes
    max_bytes: int = MAX_FILE_BYTES
    #: extra user dictionary lines for jieba / the gazetteer (issue 3)
    user_terms: tuple[str, ...] = field(default_factory=tuple)

    def cache_key(self) -> str:
        """A short hash of the extractor version and every option (the cache key's options part)."""
        payload = json.dumps({"version": EXTRACTOR_VERSION, **asdict(self)}, sort_keys=True, default=list)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


DEFAULT_OPTIONS = Options()
