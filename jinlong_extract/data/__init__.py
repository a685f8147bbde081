"""Rule tables, loaded once.

Every table is a TOML file beside this module; every entry carries a comment saying why it is
there. Code never hard-codes a unit, qualifier, measure word, metric trigger, non-figure pattern
or gazetteer entry: it asks :func:`load_table`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def load_table(name: str) -> dict[str, Any]:
    """Load ``data/<name>.toml`` (cached)."""
    with resources.files(__package__).joinpath(f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def data_path(name: str) -> str:
    """Filesystem path of a data file shipped beside this module (CSV gazetteers, licences)."""
    return str(resources.files(__package__).joinpath(name))
