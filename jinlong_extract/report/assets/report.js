// jinlong report: details panel, sortable / filterable reconciled table.
// Article text only ever reaches the DOM through textContent (never innerHTML).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('jl-data').textContent);
  var facts = data.facts || {};
  var panel = document.getElementById('details');
  var FIELDS = ['kind', 'value', 'raw', 'interval', 'qualifier', 'unit', 'metric', 'object', 'year',
                'subject', 'date', 'sentence'];
  var selected = null;

  function put(id, v) {
    var el = document.getElementById(id);
    if (el) { el.textContent = (v === null || v === undefined || v === '') ? '—' : String(v); }
  }

  function showFact(fid) {
    var f = facts[fid];
    if (!f) { return false; }
    put('d-text', f.text);
    FIELDS.forEach(function (k) { put('d-' + k, f[k]); });
    var rec = document.getElementById('d-rec');
    rec.textContent = '';
    if (f.rec) {
      var a = document.createElement('a');
      a.href = '#r-' + encodeURIComponent(f.rec);
      a.textContent = f.rec + (f.rec_n ? ' (' + f.rec_n + (f.rec_n === 1 ? ' source)' : ' sources)') : '');
      if (f.conflict) { a.textContent += ' — conflict'; }
      rec.appendChild(a);
    } else {
      rec.textContent = 'not reconciled';
    }
    var src = document.getElementById('d-fact');
    src.textContent = fid;
    if (selected) { selected.classList.remove('selected'); }
    selected = document.getElementById('f-' + fid);
    if (selected) { selected.classList.add('selected'); }
    panel.hidden = false;
    return true;
  }

  document.addEventListener('click', function (e) {
    var m = e.target.closest ? e.target.closest('mark.fig') : null;
    if (m) { showFact(m.getAttribute('data-fid')); }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { panel.hidden = true; return; }
    var m = e.target.closest ? e.target.closest('mark.fig') : null;
    if (m && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); showFact(m.getAttribute('data-fid')); }
  });
  document.getElementById('d-close').addEventListener('click', function () { panel.hidden = true; });

  function onHash() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h.indexOf('f-') === 0) { showFact(h.slice(2)); }
  }
  window.addEventListener('hashchange', onHash);

  // ---- reconciled table: sort by a column, filter by text / kind / conflicts ----
  var table = document.getElementById('rtable');
  if (table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      if (!th.classList.contains('sortable')) { return; }
      th.addEventListener('click', function () {
        var asc = !th.classList.contains('asc');
        Array.prototype.forEach.call(heads, function (h) { h.classList.remove('asc', 'desc'); });
        th.classList.add(asc ? 'asc' : 'desc');
        var numeric = th.getAttribute('data-type') === 'num';
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
          var r;
          if (numeric) {
            var fx = x === '' ? -Infinity : parseFloat(x), fy = y === '' ? -Infinity : parseFloat(y);
            r = fx < fy ? -1 : fx > fy ? 1 : 0;
          } else {
            r = x.localeCompare(y, 'zh');
          }
          return asc ? r : -r;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
    var q = document.getElementById('rfilter'), kind = document.getElementById('rkind');
    var conf = document.getElementById('rconf'), count = document.getElementById('rcount');
    var filter = function () {
      var needle = q.value.trim().toLowerCase(), k = kind.value, only = conf.checked, shown = 0;
      rows.forEach(function (r) {
        var ok = (!needle || r.textContent.toLowerCase().indexOf(needle) >= 0) &&
                 (!k || r.getAttribute('data-kind') === k) &&
                 (!only || r.classList.contains('conflict'));
        r.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + ' / ' + rows.length + ' rows';
    };
    q.addEventListener('input', filter);
    kind.addEventListener('change', filter);
    conf.addEventListener('change', filter);
    filter();
  }
  onHash();
  document.body.setAttribute('data-ready', '1');
})();
