"""A progress bar on stderr (files, MB/s, ETA), shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any


class Progress:
    """Context manager; ``advance(nbytes)`` once per finished document.

    Does nothing (and imports nothing) when ``enabled`` is false or stderr is not a terminal,
    so library callers and pipes never see control characters.
    """

    def __init__(self, enabled: bool, total: int | None = None, description: str = "extracting") -> None:
        self.enabled = bool(enabled) and _stderr_is_tty()
        self.total = total
        self.description = description
        self._bar: Any = None
        self._task: Any = None
        self._bytes = 0
        self._t0 = time.perf_counter()
        self._last = 0.0

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                ProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress
            from rich.text import Text

            class _Rate(ProgressColumn):
                """MB/s over the whole run so far (bytes are a task field, files the count)."""

                def render(self, task: Any) -> Text:
                    secs = task.elapsed or 0.0
                    mb = task.fields.get("nbytes", 0) / 1e6
                    return Text(f"{mb / secs:6.2f} MB/s" if secs > 0 else "  -.-- MB/s")

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files"),
                _Rate(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=self.total, nbytes=0)
        return self

    def advance(self, nbytes: int) -> None:
        """One more document finished, ``nbytes`` long."""
        if self._bar is None:
            return
        self._bytes += nbytes
        self._bar.update(self._task, advance=1, nbytes=self._bytes)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
