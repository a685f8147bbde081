"""What analysts look at: the offline HTML report and the terminal view behind ``jinlong show``.

* :func:`build_report` turns an output folder of ``jinlong extract`` into one self-contained
  ``report.html`` (no CDN, no network; CSS, JS, data and SVG charts all inline).
* :func:`jinlong_extract.report.terminal.render_facts` prints one document with its figures
  highlighted, for ``jinlong show``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import InputError
from .html import highlight, render_report
from .load import OutputData, load_output, read_tables

__all__ = ["build_report", "render_report", "load_output", "read_tables", "highlight", "OutputData"]


def build_report(output_dir: str | Path, *, out: str | Path | None = None, title: str = "jinlong report") -> Path:
    """Write ``report.html`` for an output folder and return its path.

    ``out`` defaults to ``<output_dir>/report.html``. The file is written atomically (a temporary
    file in the same folder, then :func:`os.replace`), so a reader never sees half a report.
    Raises :class:`~jinlong_extract.errors.InputError` when the folder holds no ``facts.json`` or
    the report cannot be written.

    Example::

        >>> build_report("output")            # doctest: +SKIP
        PosixPath('output/report.html')
    """
    data = load_output(output_dir)
    page = render_report(data, title=title)
    target = Path(out) if out is not None else Path(output_dir) / "report.html"
    if target.is_dir():
        target = target / "report.html"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html.tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(page)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be shared
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise InputError(str(target), f"cannot write the report: {err.strerror or err}") from err
    return target
