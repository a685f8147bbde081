"""A progress bar on stderr (files, MB/s, ETA), shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any


class Progress:
    """Context manager; ``advance(nbytes)`` once per finished document.

    Does nothing (and imports nothing) when ``enabled`` is false or stderr is not a terminal,
    so library callers and pipes never see control characters. The bar itself starts on the
    first finished document, i.e. after the process pool has forked its workers: forking while
    rich's refresh thread holds a lock could leave a worker stuck on it.
    """

    def __init__(self, enabled: bool, total: int | None = None, description: str = "extracting") -> None:
        self.enabled = bool(enabled) and _stderr_is_tty()
        self.total = total
        self.description = description
        self._bar: Any = None
        self._task: Any = None
        self._bytes = 0
        self._t0 = time.perf_counter()

    def __enter__(self) -> Progress:
        self._t0 = time.perf_counter()
        return self

    def rate(self) -> float:
        """MB/s since the run started."""
        secs = time.perf_counter() - self._t0
        return self._bytes / 1e6 / secs if secs > 0 else 0.0

    def _start(self) -> None:
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

        owner = self

        class _Rate(ProgressColumn):
            """MB/s over the whole run so far (files are the bar's count, bytes are ours)."""

            def render(self, task: Any) -> Text:
                return Text(f"{owner.rate():6.2f} MB/s")

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
        self._task = self._bar.add_task(self.description, total=self.total)

    def advance(self, nbytes: int) -> None:
        """One more document finished, ``nbytes`` long."""
        if not self.enabled:
            return
        if self._bar is None:
            self._start()
        self._bytes += nbytes
        self._bar.update(self._task, advance=1)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
