"""Render an :class:`~jinlong_extract.report.load.OutputData` as one self-contained HTML page.

Security: every piece of article text, headline, path and value goes through
:func:`html.escape`; the data the script reads is JSON inside ``<script type="application/json">``
with ``<`` written as ``\\u003c`` (so neither ``</script>`` nor ``<!--`` can end it); the script
never uses ``innerHTML``; and a Content-Security-Policy allows no network at all and only the one
inline script, by its SHA-256 hash — an injected ``<script>``, ``onerror=`` or ``javascript:`` link
would be refused by the browser even if escaping ever failed.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
from collections import Counter
from html import escape
from importlib import resources
from typing import Any, Iterable

import regex

from ..records import KINDS, Article, Fact, Reconciled, SeriesPoint
from .fmt import format_interval, format_period, format_raw, format_value
from .load import DocText, OutputData
from .svg import fact_href, series_chart

#: In HTML sources only: script / style bodies and tags are hidden between highlights (display only,
#: offsets are untouched). Scripts and styles first, so their bodies go with their tags.
_HTML_HIDDEN = regex.compile(r"(?is)<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->|<[^>]{0,2000}>")
_BLANK_RUNS = regex.compile(r"\n[ \t\u3000\r]*(?:\n[ \t\u3000\r]*){2,}")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


def _e(value: Any) -> str:
    """Escape anything for element content and attribute values."""
    return escape("" if value is None else str(value), quote=True)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _script_json(obj: Any) -> str:
    """JSON safe inside ``<script>``: ``<`` never appears raw, so ``</script>``/``<!--`` cannot."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def rec_href(rec_id: str) -> str:
    """The in-page link to a reconciled table row."""
    from urllib.parse import quote

    return "#r-" + quote(rec_id, safe="")


# --------------------------------------------------------------------------- article text


def _is_html(path: str, original: str) -> bool:
    return path.lower().endswith(_HTML_SUFFIXES) or original.lstrip()[:15].lower().startswith(("<!doctype", "<html"))


def _plain(segment: str, html_source: bool, squeeze: bool = False) -> str:
    """Text between figures, for display only: HTML tags hidden, runs of blank lines shortened."""
    if html_source:
        import html as _html

        segment = _html.unescape(_HTML_HIDDEN.sub("", segment))
        squeeze = True
    if squeeze:
        segment = _BLANK_RUNS.sub("\n\n", segment)
    return escape(segment, quote=False)


def _tooltip(f: Fact) -> str:
    parts = [f.kind, format_value(f.value, f.unit)]
    if f.qualifier and f.qualifier != "exact":
        parts.append(f"{f.qualifier} {format_interval(f.low, f.high, f.unit)}")
    parts += [p for p in (f.metric, f.subject, str(f.year) if f.year else None) if p]
    return " · ".join(parts)


def _mark_open(f: Fact) -> str:
    kind = f.kind if f.kind in KINDS else "other"
    return (
        f'<mark class="fig k-{_e(kind)}" id="f-{_e(f.id)}" data-fid="{_e(f.id)}" tabindex="0" '
        f'title="{_e(_tooltip(f))}">'
    )


def highlight(original: str, facts: list[Fact], *, start: int = 0, end: int | None = None,
              breaks: Iterable[tuple[int, str]] = (), html_source: bool = False, squeeze: bool = False) -> str:
    """``original[start:end]`` as escaped HTML with every fact in it wrapped in a ``<mark>``.

    Facts nested in another are nested marks; a fact crossing the end of the one before it is cut
    at that end (its mark, id and details stay). ``breaks`` are ``(offset, html)`` blocks
    (article headlines) inserted at the first point no mark is open. ``squeeze`` shortens runs of
    blank lines between figures (display only); HTML sources always lose tags and blank runs.

    >>> f = Fact("a", 0, 2, 6, "112个", "count", 112.0, 112.0, 112.0, "exact", "个", None, None,
    ...          None, None, None, None, None, False, "")
    >>> highlight("签约112个<b>", [f])
    '签约<mark class="fig k-count" id="f-a#2-6" data-fid="a#2-6" tabindex="0" title="count · 112个">112个</mark>&lt;b&gt;'
    """
    end = len(original) if end is None else end
    spans = sorted((f for f in facts if start <= f.start and f.end <= end), key=lambda f: (f.start, -f.end))
    events = sorted(breaks)
    out: list[str] = []
    pos = start
    stack: list[int] = []  # ends of the open marks
    bi = 0

    def emit_text(upto: int) -> None:
        nonlocal pos, bi
        while bi < len(events) and events[bi][0] <= upto and not stack:
            at = max(events[bi][0], pos)
            if at > pos:
                out.append(_plain(original[pos:at], html_source, squeeze))
                pos = at
            out.append(events[bi][1])
            bi += 1
        if upto > pos:
            out.append(_plain(original[pos:upto], html_source, squeeze) if not stack else escape(original[pos:upto], quote=False))
            pos = upto

    for f in spans:
        while stack and stack[-1] <= f.start:
            emit_text(stack[-1])
            out.append("</mark>")
            stack.pop()
        f_end = min(f.end, stack[-1]) if stack else f.end
        emit_text(f.start)
        out.append(_mark_open(f))
        stack.append(max(f_end, f.start))
    while stack:
        emit_text(stack[-1])
        out.append("</mark>")
        stack.pop()
    emit_text(end)
    for _, block in events[bi:]:
        out.append(block)
    return "".join(out)


def _article_breaks(articles: list[Article]) -> list[tuple[int, str]]:
    if len(articles) < 2 and not any(a.headline for a in articles):
        return []
    out = []
    for a in articles:
        label = a.headline or f"article {a.index + 1}"
        date = f" · {a.date}" if a.date else ""
        out.append((a.orig_start, f'<span class="art-head">{_e(a.index + 1)}. {_e(label)}{_e(date)}</span>'))
    return out


def _doc_section(i: int, doc: Any, text: DocText | None, facts: list[Fact]) -> str:
    kinds = Counter(f.kind for f in facts)
    meta = [f"{len(facts)} figures"] + [f"{k} {kinds[k]}" for k in KINDS if kinds.get(k)]
    meta += [p for p in (doc.encoding, doc.script, doc.date and f"published {doc.date}",
                         doc.articles and f"{doc.articles} articles") if p]
    out = [f'<article class="doc" id="doc-{i}"><h3>{_e(doc.path)}</h3>',
           f'<p class="meta">{_e(" · ".join(meta))}</p>']
    if doc.source and doc.source != doc.path:
        out.append(f'<p class="meta">source: {_e(doc.source)}</p>')
    for err in doc.errors:
        out.append(f'<p class="warn">{_e(err)}</p>')
    if text is not None and text.error:
        out.append(f'<p class="warn">{_e(text.error)}</p>')
    original = text.original if text is not None else None
    placed: list[Fact] = []
    loose: list[Fact] = []
    for f in facts:
        ok = original is not None and 0 <= f.start <= f.end <= len(original) and original[f.start:f.end] == f.text
        (placed if ok else loose).append(f)
    if original is not None:
        body = highlight(original, placed, breaks=_article_breaks(text.articles if text else []),
                         html_source=_is_html(doc.path, original), squeeze=True)
        out.append(f'<div class="text" lang="zh">{body}</div>')
    if loose:
        out.append('<p class="warn">figures not found at their offsets in the text (shown with their sentence):</p><ul>')
        for f in loose:
            out.append(f"<li>{_mark_open(f)}{_e(f.text)}</mark> — {_e(f.sentence)}</li>")
        out.append("</ul>")
    out.append("</article>")
    return "".join(out)


# --------------------------------------------------------------------------- tables


def _td(text: Any, sort: Any = None, cls: str = "") -> str:
    v = "" if sort is None else sort
    c = f' class="{cls}"' if cls else ""
    return f'<td{c} data-v="{_e(v)}">{_e(text)}</td>'


def _source_links(sources: list[Any]) -> str:
    links = [f'<a href="{_e(fact_href(s.fact_id))}" title="{_e(s.fact_id)}">{_e(s.doc)} · {_e(s.text)}</a>'
             for s in sources]
    return "".join(links)


def _reconciled_table(rows: list[Reconciled]) -> str:
    #: (heading, data-type, sortable, cell class) — the value column stays 6th (the browser test sorts it)
    heads = [("id", "", True, "rid"), ("kind", "", True, ""), ("metric", "", True, ""), ("subject", "", True, ""),
             ("year", "num", True, ""), ("value", "num", True, ""), ("qualifier", "", True, ""),
             ("sources", "num", True, ""), ("rule / note", "", True, "rule"), ("source mentions", "", False, "")]
    th = "".join(
        f'<th class="{"sortable " if sortable else ""}{cls}"{f" data-type={chr(34)}{t}{chr(34)}" if t else ""}>{_e(h)}</th>'
        for h, t, sortable, cls in heads)
    body = []
    for r in rows:
        year = r.year if r.year is not None else format_period(r.period_start, r.period_end)
        value = _e(format_value(r.value, r.unit))
        if not (r.low == r.high == r.value):
            value += f'<br><small class="muted">{_e(format_interval(r.low, r.high, r.unit))}</small>'
        conflict = ""
        if r.conflict:
            others = ", ".join(f'<a href="{_e(rec_href(o))}">{_e(o)}</a>' for o in r.conflict_with)
            conflict = f'<span class="warn">conflict{" with " + others if others else ""}</span><br>'
        rule = " · ".join(x for x in (r.rule, r.note) if x)
        cls = ' class="conflict"' if r.conflict else ""
        body.append(
            f'<tr id="r-{_e(r.id)}" data-kind="{_e(r.kind)}"{cls}>'
            + _td(r.id, r.id, "rid")
            + f'<td data-v="{_e(r.kind)}"><span class="kind k-{_e(r.kind)}">{_e(r.kind)}</span></td>'
            + _td((r.metric or "") + (" (累计)" if r.cumulative else ""), r.metric or "")
            + _td(r.subject or "", r.subject or "")
            + _td(str(year or ""), r.year if r.year is not None else (r.period_end or ""), "num")
            + f'<td class="num" data-v="{_e("" if r.value is None else r.value)}">{value}</td>'
            + _td(r.qualifier, r.qualifier)
            + _td(r.n_sources, r.n_sources, "num")
            + f'<td class="rule" data-v="{_e(("0 " if r.conflict else "1 ") + rule)}">{conflict}{_e(rule)}</td>'
            + f'<td class="srcs">{_source_links(r.sources)}</td></tr>'
        )
    kinds = "".join(f'<option value="{k}">{k}</option>' for k in KINDS)
    return (
        '<div class="controls"><input type="search" id="rfilter" placeholder="filter: metric, subject, value, document…" '
        'aria-label="filter the reconciled table">'
        f'<select id="rkind" aria-label="kind"><option value="">all kinds</option>{kinds}</select>'
        '<label><input type="checkbox" id="rconf"> conflicts only</label><span id="rcount" class="muted"></span></div>'
        f'<table id="rtable"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _series_section(points: list[SeriesPoint]) -> str:
    by: dict[str, list[SeriesPoint]] = {}
    for p in points:
        by.setdefault(p.series, []).append(p)
    if not by:
        return '<p class="muted">no cumulative series in this output.</p>'
    out = []
    for n, (sid, pts) in enumerate(sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))):
        first = pts[0]
        title = " · ".join(p for p in (first.subject, first.metric, first.unit) if p) or sid
        pts_sorted = sorted(pts, key=lambda p: (p.as_of or "", p.value or 0))
        rows = []
        for p in pts_sorted:
            links = " ".join(f'<a href="{_e(fact_href(fid))}">{_e(fid)}</a>' for fid in p.fact_ids)
            flag = f'<span class="warn">{_e(p.flag)}</span>' if p.flag else ""
            rows.append(
                f'<tr><td>{_e(p.as_of or "?")}</td><td class="num">{_e(format_value(p.value, p.unit))}</td>'
                f'<td><a href="{_e(rec_href(p.reconciled_id))}">{_e(p.reconciled_id)}</a></td>'
                f"<td>{links}</td><td>{flag}</td></tr>"
            )
        out.append(
            f'<h3 id="s-{n}">{_e(title)} <small class="muted">({_e(sid)})</small></h3><div class="series">'
            + series_chart(pts, title=title)
            + '<table><thead><tr><th>as of</th><th>value</th><th>reconciled</th><th>sources</th><th>flag</th></tr>'
            + f'</thead><tbody>{"".join(rows)}</tbody></table></div>'
        )
    return "".join(out)


def _overview(data: OutputData, facts_by_doc: dict[str, list[Fact]]) -> str:
    kinds = Counter(f.kind for f in data.facts)
    conflicts = [r for r in data.reconciled if r.conflict]
    flagged = [p for p in data.series if p.flag]
    skipped = [d for d in data.documents if d.skipped]
    cards = [
        ("documents", len(data.documents), False), ("skipped", len(skipped), bool(skipped)),
        ("figures", len(data.facts), False),
    ] + [(k, kinds.get(k, 0), False) for k in KINDS] + [
        ("reconciled rows", len(data.reconciled), False), ("conflicts", len(conflicts), bool(conflicts)),
        ("series flags", len(flagged), bool(flagged)), ("entities", len(data.entities), False),
    ]
    out = ['<div class="cards">']
    for label, n, alert in cards:
        cls = "card alert" if alert else "card"
        kind = f' <span class="kind k-{label}">&nbsp;</span>' if label in KINDS else ""
        out.append(f'<div class="{cls}"><b>{n}</b><small>{_e(label)}{kind}</small></div>')
    out.append("</div><h3>Check first</h3>")
    if not conflicts and not flagged and not skipped:
        out.append('<div class="check ok">no conflicts, no series inconsistencies, no skipped files.</div>')
    if conflicts:
        out.append('<div class="check"><b>conflicting figures</b><ul>')
        for r in conflicts:
            what = " · ".join(str(p) for p in (r.subject, r.metric, r.year) if p)
            others = ", ".join(f'<a href="{_e(rec_href(o))}">{_e(o)}</a>' for o in r.conflict_with)
            out.append(
                f'<li><a href="{_e(rec_href(r.id))}">{_e(r.id)}</a> {_e(what)}: '
                f"<b>{_e(format_value(r.value, r.unit))}</b>"
                + (f" vs {others}" if others else "")
                + (f" — {_e(r.note)}" if r.note else "")
                + f' <span class="srcs">{_source_links(r.sources)}</span></li>'
            )
        out.append("</ul></div>")
    if flagged:
        out.append('<div class="check"><b>series inconsistencies</b><ul>')
        for p in flagged:
            what = " · ".join(x for x in (p.subject, p.metric) if x)
            src = "".join(f' <a href="{_e(fact_href(fid))}">{_e(fid)}</a>' for fid in p.fact_ids)
            out.append(
                f"<li>{_e(what)} as of {_e(p.as_of or '?')}: <b>{_e(format_value(p.value, p.unit))}</b> — "
                f'<span class="warn">{_e(p.flag)}</span> (<a href="{_e(rec_href(p.reconciled_id))}">'
                f"{_e(p.reconciled_id)}</a>){src}</li>"
            )
        out.append("</ul></div>")
    if skipped:
        out.append('<div class="check"><b>skipped files</b><ul>')
        for d in skipped:
            reason = "; ".join(d.errors) or "skipped"
            line = reason if reason.startswith(f"{d.path}:") else f"{d.path}: {reason}"
            out.append(f"<li>{_e(line)}</li>")
        out.append("</ul></div>")
    out.append('<h3>Documents</h3><table><thead><tr><th>document</th><th>encoding</th><th>script</th>'
               "<th>date</th><th>articles</th><th>figures</th><th>notes</th></tr></thead><tbody>")
    for i, d in enumerate(data.documents):
        n = len(facts_by_doc.get(d.path, []))
        name = _e(d.path) if d.skipped else f'<a href="#doc-{i}">{_e(d.path)}</a>'
        out.append(
            f"<tr><td>{name}</td><td>{_e(d.encoding or '')}</td><td>{_e(d.script or '')}</td>"
            f"<td>{_e(d.date or '')}</td><td class=\"num\">{_e(d.articles)}</td><td class=\"num\">{n}</td>"
            f"<td>{_e('; '.join(d.errors))}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


# --------------------------------------------------------------------------- page


def _fact_payload(data: OutputData) -> dict[str, Any]:
    rec_of: dict[str, Reconciled] = {}
    for r in data.reconciled:
        for s in r.sources:
            rec_of.setdefault(s.fact_id, r)
    payload: dict[str, Any] = {}
    for f in data.facts:
        r = rec_of.get(f.id)
        payload[f.id] = {
            "text": f.text, "kind": f.kind, "value": format_value(f.value, f.unit), "raw": format_raw(f.value),
            "interval": format_interval(f.low, f.high, f.unit), "qualifier": f.qualifier, "unit": f.unit,
            "metric": f.metric, "object": f.object, "subject": f.subject,
            "year": f.year if f.year is not None else format_period(f.period_start, f.period_end),
            "date": f.date, "sentence": f.sentence,
            "rec": r.id if r else None, "rec_n": r.n_sources if r else None, "conflict": bool(r and r.conflict),
        }
        if f.cumulative:
            payload[f.id]["metric"] = f"{f.metric or '—'} (累计)"
    return payload


_DETAILS = (
    '<aside id="details" hidden aria-live="polite"><button id="d-close" class="close" aria-label="close">×</button>'
    '<h4 id="d-text"></h4><dl>'
    + "".join(f'<dt>{label}</dt><dd id="d-{key}"></dd>' for key, label in (
        ("kind", "kind"), ("value", "value"), ("raw", "base units"), ("interval", "interval"),
        ("qualifier", "qualifier"), ("unit", "unit"), ("metric", "metric"), ("object", "object"),
        ("year", "year"), ("subject", "subject"), ("date", "published"), ("rec", "reconciled"),
        ("sentence", "sentence"), ("fact", "fact id")))
    + "</dl></aside>"
)


def render_report(data: OutputData, *, title: str = "jinlong report") -> str:
    """The whole page as one string (see the module docstring for the escaping rules)."""
    facts_by_doc: dict[str, list[Fact]] = {}
    for f in data.facts:
        facts_by_doc.setdefault(f.doc, []).append(f)
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
           "base-uri 'none'; form-action 'none'")
    legend = "".join(f'<span class="k-{k}">{k}</span>' for k in KINDS)
    docs = [
        _doc_section(i, d, data.texts.get(d.path), facts_by_doc.get(d.path, []))
        for i, d in enumerate(data.documents) if not d.skipped
    ]
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_asset('report.css')}</style></head><body>",
        f'<header class="top"><h1>{_e(title)}</h1><nav><a href="#overview">Overview</a>'
        '<a href="#articles">Articles</a><a href="#reconciled">Reconciled</a><a href="#series">Series</a></nav>'
        f'<div class="legend" aria-label="colour legend">{legend}</div></header><main>',
        f'<p class="meta">output folder {_e(data.root)} · generated {_e(stamp)} · click a highlighted figure for '
        "its details</p>",
        f'<section id="overview"><h2>Overview</h2>{_overview(data, facts_by_doc)}</section>',
        f'<section id="articles"><h2>Articles</h2>{"".join(docs) or "<p class=muted>no documents.</p>"}</section>',
        f'<section id="reconciled"><h2>Reconciled figures</h2>'
        + (_reconciled_table(data.reconciled) if data.reconciled else '<p class="muted">no reconciled table in this output.</p>')
        + "</section>",
        f'<section id="series"><h2>Cumulative series</h2>{_series_section(data.series)}</section>',
        "</main>", _DETAILS,
        f'<script type="application/json" id="jl-data">{_script_json({"facts": _fact_payload(data)})}</script>',
        f"<script>{script}</script></body></html>",
    ]
    return "".join(parts)
