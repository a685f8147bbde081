"""Run one piece of the cross-document tail in a forked child, beside the parent's own piece.

After the per-document stage every table but the reconciled ones is known once entities are
merged, so with two or more cores the child writes the facts and entities tables while the parent
reconciles, and another then writes some formats of the reconciled tables while the parent
writes the others (:func:`jinlong_extract.cli.extract.extract`); the reconciler runs each of its
steps in one, so that what a step allocates dies with it (:mod:`jinlong_extract.reconcile.parts`).
``fork`` shares the parent's memory copy-on-write: nothing is pickled on the way in, only the
(small) return value comes back.

Used only where it is safe: POSIX ``os.fork`` and no other thread alive in the parent (a lock
held by another thread at fork time would stay held in the child forever). Otherwise
:func:`start` runs the function at once in this process, so callers need no second code path.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import threading
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """``os.fork`` exists and this process runs a single thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Task:
    """A function running in a forked child (or already run here); :meth:`result` joins it."""

    def __init__(self, fn: Callable[[], Any], *, fork: bool = True) -> None:
        self.pid = 0
        self._value: Any = None
        self._error: BaseException | None = None
        if not (fork and can_fork()):
            try:
                self._value = fn()
            except BaseException as exc:  # noqa: BLE001 - re-raised by result()
                self._error = exc
            return
        read_fd, write_fd = os.pipe()
        # Objects alive now are never collected in the child: freezing them keeps the child's
        # garbage collector from touching (and so copying) every page of the parent's heap.
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child process (coverage does not follow forks)
            os.close(read_fd)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (not the parent's handler, if it set one)
            code = 0
            try:
                payload = pickle.dumps((True, fn()))
            except BaseException as exc:  # noqa: BLE001
                code = 1
                try:
                    payload = pickle.dumps((False, exc))
                except Exception:
                    payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            try:
                with os.fdopen(write_fd, "wb") as fh:
                    fh.write(payload)
            finally:
                os._exit(code)
        gc.unfreeze()
        os.close(write_fd)
        self.pid = pid
        self._read_fd = read_fd

    def result(self) -> Any:
        """The function's return value; its exception is raised here."""
        if self.pid:
            with os.fdopen(self._read_fd, "rb") as fh:
                payload = fh.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if not payload:
                raise RuntimeError(f"forked process ended without a result (status {status})")
            ok, value = pickle.loads(payload)
            if ok:
                self._value = value
            else:
                self._error = value
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> None:
        """Stop the child (interrupted run) and reap it."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            try:
                os.close(self._read_fd)
            except OSError:
                pass
            self.pid = 0


def first_done(tasks: list[Task]) -> Task:
    """The first of ``tasks`` to finish (one already run here, or whose child has sent its
    result): its :meth:`Task.result` does not wait for the others."""
    forked = {task._read_fd: task for task in tasks if task.pid}
    if len(forked) < len(tasks):
        return next(task for task in tasks if not task.pid)
    ready, _, _ = select.select(list(forked), [], [])
    return forked[ready[0]]
