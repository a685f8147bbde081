"""Typed library exceptions. Only the CLI turns them into one-line messages and exit codes."""

from __future__ import annotations


class JinlongError(Exception):
    """Base class: ``str(err)`` is a one-line message that names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple:
        # picklable with its two arguments (errors cross process boundaries: pool, forked writer)
        return (type(self), (self.path, self.reason))


class InputError(JinlongError):
    """A file that cannot be read as an article: missing, unreadable, binary, empty, undecodable,
    too large, or a single line too long to be prose."""


class GoldError(JinlongError):
    """A gold annotation file that does not follow the schema."""
