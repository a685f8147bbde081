"""Rule tables, loaded once.

Every table is a TOML file beside this module; every entry carries a comment saying why it is
there. Code never hard-codes a unit, qualifier, measure word, metric trigger, non-figure pattern
or gazetteer entry: it asks :func:`load_table`.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


@lru_cache(maxsize=None)
def load_table(name: str) -> dict[str, Any]:
    """Load ``data/<name>.toml`` (cached)."""
    with resources.files(__package__).joinpath(f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def data_path(name: str) -> str:
    """Filesystem path of a data file shipped beside this module (CSV gazetteers, licences)."""
    return str(resources.files(__package__).joinpath(name))


@lru_cache(maxsize=1)
def tables_fingerprint() -> str:
    """A short hash of every data file shipped here (part of the incremental cache key): a run
    after a rule table was edited re-extracts every document instead of reusing results made
    under the old rules.

    >>> len(tables_fingerprint())
    8
    """
    root = Path(data_path(""))
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:8]
