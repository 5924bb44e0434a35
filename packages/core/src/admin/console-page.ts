import { randomBytes } from 'node:crypto'
import type { WebhookResponse } from '../problem.js'

// One self-contained page: no file, font, script or image from anywhere. The
// page holds no data; its script asks for the admin's credentials, keeps them
// in sessionStorage (gone with the tab), and sends them in Authorization on
// each same-origin fetch of the admin API. Nothing below may contain a
// backtick or a dollar-brace: it is one template literal.
const STYLE = `
:root { --ink: #1f2933; --muted: #66788a; --line: #e4e7eb; --bg: #f5f7fa; --card: #fff; --accent: #2563eb;
  --received: #2563eb; --delivered: #16a34a; --failed: #dc2626; --pending: #d97706; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #111827; color: #f9fafb; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header h1 small { color: #9ca3af; font-weight: 400; margin-left: 6px; }
header form { margin-left: auto; display: flex; gap: 8px; align-items: center; }
header select, header input { background: #1f2937; color: #f9fafb; border: 1px solid #374151; border-radius: 6px; padding: 6px 8px; font: inherit; }
header input { width: 240px; }
main { max-width: 1200px; margin: 0 auto; padding: 20px 24px 40px; }
button { font: inherit; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--ink); padding: 6px 12px; cursor: pointer; }
button:hover { border-color: #b8c2cc; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--failed); border-color: #f5c2c2; }
button.small { padding: 2px 8px; font-size: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin-bottom: 16px; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.grow { flex: 1; }
.muted { color: var(--muted); }
.notice { padding: 10px 14px; border-radius: 8px; margin-bottom: 16px; background: #eff6ff; border: 1px solid #bfdbfe; }
.notice.error { background: #fef2f2; border-color: #fecaca; color: #991b1b; }
.hidden { display: none !important; }
.chart-head { display: flex; align-items: baseline; gap: 16px; margin-bottom: 8px; }
.chart-head h2 { font-size: 14px; margin: 0; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
svg.chart { width: 100%; height: auto; max-height: 220px; display: block; }
svg.chart text { font-size: 10px; fill: var(--muted); }
.tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--line); margin-bottom: 12px; }
.tab { border: 0; border-bottom: 2px solid transparent; border-radius: 0; background: none; padding: 8px 14px; color: var(--muted); }
.tab[aria-selected="true"] { color: var(--ink); border-bottom-color: var(--accent); font-weight: 600; }
.count { display: inline-block; min-width: 22px; padding: 0 6px; margin-left: 6px; border-radius: 10px; background: var(--bg); font-size: 12px; font-weight: 600; }
.tab[data-state="dead"] .count.nonzero { background: #fee2e2; color: var(--failed); }
.filters { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 12px; }
.filters .actions { grid-column: 1 / -1; }
.filters input { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; font: inherit; width: 100%; }
.filters label { font-size: 12px; color: var(--muted); display: flex; flex-direction: column; gap: 2px; }
table { width: 100%; border-collapse: collapse; margin-top: 12px; }
th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); padding: 6px 8px; border-bottom: 1px solid var(--line); }
td { padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr { cursor: pointer; }
tbody tr:hover, tbody tr.selected { background: #f0f5ff; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; max-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.pending { background: #fef3c7; color: #92400e; }
.badge.retrying { background: #ffedd5; color: #9a3412; }
.badge.dead { background: #fee2e2; color: #991b1b; }
.badge.delivered { background: #dcfce7; color: #166534; }
.why { color: var(--muted); font-size: 12px; margin-top: 2px; }
.empty { text-align: center; color: var(--muted); padding: 24px; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
.layout.with-detail { grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); }
.detail h2 { font-size: 15px; margin: 0 0 4px; word-break: break-all; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; font-size: 13px; margin: 10px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; word-break: break-all; }
ol.timeline { list-style: none; padding: 0; margin: 8px 0 0; border-left: 2px solid var(--line); }
ol.timeline li { position: relative; padding: 0 0 14px 16px; }
ol.timeline li::before { content: ""; position: absolute; left: -7px; top: 4px; width: 12px; height: 12px; border-radius: 50%; background: var(--failed); border: 2px solid var(--card); }
ol.timeline li.ok::before { background: var(--delivered); }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px; font-size: 12px; white-space: pre-wrap; word-break: break-all; max-height: 160px; overflow: auto; margin: 6px 0 0; }
`

const SCRIPT = `
(function () {
  'use strict';
  var base = location.pathname.endsWith('/') ? location.pathname : location.pathname + '/';
  var KEY = 'webhook-trigger-admin';
  var state = 'pending', selected = null, next = null, pages = 0, timer = null;
  var $ = function (id) { return document.getElementById(id); };
  var saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined) node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) node.append(c); });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function when(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
  }
  var failing = false;
  function notice(text, error) {
    var n = $('notice');
    failing = Boolean(text && error);
    n.textContent = text || '';
    n.className = text ? 'notice' + (error ? ' error' : '') : 'notice hidden';
  }

  function authorization() {
    if (!saved) return undefined;
    if (saved.scheme === 'Basic') return 'Basic ' + btoa(String.fromCharCode.apply(null, Array.from(new TextEncoder().encode(saved.secret))));
    return 'Bearer ' + saved.secret;
  }
  function api(method, path) {
    return fetch(base + path, { method: method, cache: 'no-store', credentials: 'omit', headers: { authorization: authorization(), accept: 'application/json' } })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (res.status === 401) { signedIn(false); throw new Error('The admin credentials were refused; enter them again.'); }
          if (!res.ok) throw new Error(body.detail || body.title || ('HTTP ' + res.status));
          return body;
        });
      });
  }

  function query() {
    var q = new URLSearchParams({ state: state, limit: '50' });
    ['event', 'tenant'].forEach(function (f) { var v = $('f-' + f).value.trim(); if (v) q.set(f, v); });
    ['from', 'to'].forEach(function (f) { var v = $('f-' + f).value; if (v) q.set(f, new Date(v).toISOString()); });
    return q;
  }

  function status(e) {
    if (e.state === 'delivered') return [el('span', { class: 'badge delivered' }, ['delivered']), el('div', { class: 'why' }, [when(e.deliveredAt)])];
    if (e.state === 'dead') return [el('span', { class: 'badge dead' }, ['dead']), el('div', { class: 'why' }, [e.lastError || ''])];
    if (e.lastError) return [el('span', { class: 'badge retrying' }, ['retrying']), el('div', { class: 'why' }, [e.lastError + ' \\u00b7 next ' + when(e.nextAttemptAt)])];
    return [el('span', { class: 'badge pending' }, ['queued'])];
  }

  function row(e) {
    var actions = el('td', {}, []);
    if (e.state === 'dead') {
      var b = el('button', { class: 'small', 'data-action': 'redeliver' }, ['Redeliver']);
      b.addEventListener('click', function (ev) { ev.stopPropagation(); redeliver(e.id); });
      actions.append(b);
    }
    var tr = el('tr', { 'data-id': e.id, class: e.id === selected ? 'selected' : undefined }, [
      el('td', {}, [when(e.createdAt)]),
      el('td', {}, [e.event || el('span', { class: 'muted' }, ['\\u2014'])]),
      el('td', {}, [e.tenant || el('span', { class: 'muted' }, ['\\u2014'])]),
      el('td', { class: 'id', title: e.id }, [e.id]),
      el('td', {}, [String(e.attempts)]),
      el('td', { class: 'status' }, status(e)),
      actions,
    ]);
    tr.addEventListener('click', function () { show(e.id); });
    return tr;
  }

  function list(append) {
    var q = query();
    if (append && next) q.set('cursor', next);
    return api('GET', 'events?' + q).then(function (page) {
      var body = $('rows');
      if (!append) { body.textContent = ''; pages = 0; }
      pages++;
      page.events.forEach(function (e) { body.append(row(e)); });
      if (!body.children.length) body.append(el('tr', {}, [el('td', { colspan: '7', class: 'empty' }, ['No ' + state + ' events' + (q.has('event') || q.has('tenant') || q.has('from') || q.has('to') ? ' match these filters.' : '.')])]));
      next = page.next || null;
      $('more').classList.toggle('hidden', !next);
    });
  }

  function summary() {
    return api('GET', 'summary?minutes=60').then(function (s) {
      ['pending', 'dead', 'delivered'].forEach(function (k) {
        var c = document.querySelector('.tab[data-state="' + k + '"] .count');
        c.textContent = String(s.counts[k]);
        c.classList.toggle('nonzero', s.counts[k] > 0);
      });
      chart(s.activity);
    });
  }

  function chart(a) {
    var box = $('chart'), W = 720, H = 150, L = 34, B = 18, T = 8;
    box.textContent = '';
    var n = a.received.length, top = Math.max(1, Math.max.apply(null, a.received.concat(a.delivered, a.failed)));
    var slot = (W - L - 4) / Math.max(1, n), bar = Math.max(1, slot / 4);
    var y = function (v) { return T + (H - T - B) * (1 - v / top); };
    [0, 0.5, 1].forEach(function (f) {
      box.append(svg('line', { x1: L, x2: W - 4, y1: y(top * f), y2: y(top * f), stroke: '#e4e7eb' }));
      var t = svg('text', { x: L - 6, y: y(top * f) + 3, 'text-anchor': 'end' }); t.textContent = String(Math.round(top * f * 10) / 10); box.append(t);
    });
    [[0, '-' + n + ' min', 'start'], [n / 2, '-' + Math.round(n / 2) + ' min', 'middle'], [n, 'now', 'end']].forEach(function (m) {
      var t = svg('text', { x: L + m[0] * slot, y: H - 4, 'text-anchor': m[2] }); t.textContent = m[1]; box.append(t);
    });
    var start = new Date(a.since).getTime();
    [['received', '#2563eb'], ['delivered', '#16a34a'], ['failed', '#dc2626']].forEach(function (s, k) {
      var group = svg('g', { fill: s[1], 'data-series': s[0] });
      a[s[0]].forEach(function (v, i) {
        if (!v) return;
        var r = svg('rect', { x: (L + i * slot + bar * (k + 0.5)).toFixed(1), y: y(v).toFixed(1), width: bar.toFixed(1), height: (H - B - y(v)).toFixed(1), rx: '1' });
        var title = svg('title', {}); title.textContent = new Date(start + i * a.bucket).toLocaleTimeString() + ': ' + v + ' ' + s[0];
        r.append(title);
        group.append(r);
      });
      box.append(group);
    });
  }

  function show(id) {
    selected = id;
    document.querySelectorAll('#rows tr').forEach(function (tr) { tr.classList.toggle('selected', tr.getAttribute('data-id') === id); });
    return api('GET', 'events/' + encodeURIComponent(id)).then(function (e) {
      var d = $('detail');
      d.textContent = '';
      $('layout').classList.add('with-detail');
      d.classList.remove('hidden');
      var close = el('button', { class: 'small' }, ['Close']);
      close.addEventListener('click', function () { selected = null; d.classList.add('hidden'); $('layout').classList.remove('with-detail'); });
      var head = el('div', { class: 'row' }, [el('span', { class: 'grow' }, status(e)[0] ? [status(e)[0]] : []), close]);
      var facts = el('dl', { class: 'facts' }, []);
      [['Event', e.event], ['Tenant', e.tenant], ['Received', when(e.createdAt)], ['Delivered', when(e.deliveredAt)], ['Attempts', String(e.attempts) + (e.history.length > e.attempts ? ' since redelivered' : '')],
        ['Target', e.target], ['Bytes', String(e.bytes)]].forEach(function (f) {
        if (f[1]) { facts.append(el('dt', {}, [f[0]]), el('dd', {}, [f[1]])); }
      });
      var steps = el('ol', { class: 'timeline' }, []);
      e.history.forEach(function (h, i) {
        var ok = h.status >= 200 && h.status < 300;
        var what = h.status !== undefined ? 'HTTP ' + h.status : (h.error || 'failed');
        steps.append(el('li', { class: ok ? 'ok' : 'failed' }, [
          el('strong', {}, ['#' + (i + 1) + ' ' + what]),
          el('div', { class: 'why' }, [when(h.at) + ' \\u00b7 ' + h.duration + ' ms' + (h.status !== undefined && h.error ? ' \\u00b7 ' + h.error : '')]),
          h.response !== undefined ? el('pre', {}, [h.response]) : null,
        ]));
      });
      if (!e.history.length) steps.append(el('li', { class: 'muted' }, ['No attempt yet.']));
      d.append(head, el('h2', {}, [e.id]), facts, el('strong', {}, ['Attempts']), steps);
      if (e.body !== undefined) d.append(el('strong', {}, ['Body']), el('pre', {}, [e.body]));
      if (e.state === 'dead') {
        var b = el('button', { class: 'primary', 'data-action': 'redeliver-selected' }, ['Redeliver this event']);
        b.addEventListener('click', function () { redeliver(e.id); });
        d.append(el('div', { class: 'row' }, [b]));
      }
    }).catch(function (err) { notice(err.message, true); });
  }

  function refresh() {
    if (!saved) return Promise.resolve();
    return Promise.all([summary(), pages > 1 ? null : list(false), selected ? show(selected) : null])
      .then(function () { if (failing) notice(''); $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString(); })
      .catch(function (err) { notice(err.message, true); });
  }

  function act(question, method, path, done) {
    if (!window.confirm(question)) return;
    api(method, path).then(function (r) { notice(done(r)); pages = 0; return refresh(); }).catch(function (err) { notice(err.message, true); });
  }
  function redeliver(id) { act('Redeliver event ' + id + ' now?', 'POST', 'events/' + encodeURIComponent(id) + '/redeliver', function () { return 'Event ' + id + ' is queued again.'; }); }

  function select(s) {
    state = s; next = null; pages = 0;
    document.querySelectorAll('.tab').forEach(function (t) { t.setAttribute('aria-selected', String(t.getAttribute('data-state') === s)); });
    $('dead-actions').classList.toggle('hidden', s !== 'dead');
    return refresh();
  }

  function signedIn(yes) {
    $('signin').classList.toggle('hidden', yes);
    $('signout').classList.toggle('hidden', !yes);
    $('app').classList.toggle('hidden', !yes);
    if (!yes) { saved = null; sessionStorage.removeItem(KEY); clearInterval(timer); timer = null; }
    else if (!timer) timer = setInterval(refresh, 2000);
  }

  $('signin').addEventListener('submit', function (ev) {
    ev.preventDefault();
    saved = { scheme: $('scheme').value, secret: $('secret').value };
    $('secret').value = '';
    sessionStorage.setItem(KEY, JSON.stringify(saved));
    signedIn(true);
    select(state);
  });
  $('signout').addEventListener('click', function () { signedIn(false); notice('Signed out.'); });
  document.querySelectorAll('.tab').forEach(function (t) { t.addEventListener('click', function () { select(t.getAttribute('data-state')); }); });
  $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); pages = 0; refresh(); });
  $('clear').addEventListener('click', function () { ['event', 'tenant', 'from', 'to'].forEach(function (f) { $('f-' + f).value = ''; }); pages = 0; refresh(); });
  $('more').addEventListener('click', function () { list(true).catch(function (err) { notice(err.message, true); }); });
  $('refresh').addEventListener('click', function () { pages = 0; refresh(); });
  $('redeliver-all').addEventListener('click', function () { act('Redeliver every dead event now?', 'POST', 'events/redeliver', function (r) { return r.redelivered + ' dead events are queued again.'; }); });
  $('purge-dead').addEventListener('click', function () { act('Delete every dead event for good? This cannot be undone.', 'DELETE', 'events?state=dead', function (r) { return r.purged + ' dead events deleted.'; }); });

  signedIn(Boolean(saved));
  if (saved) select(state); else notice('Enter the admin credentials to see the deliveries. They stay in this tab only.');
})();
`

const BODY = `
<header>
  <h1>webhook-trigger <small>deliveries</small></h1>
  <form id="signin" autocomplete="off">
    <select id="scheme" aria-label="Scheme"><option>Bearer</option><option value="Basic">Basic (user:password)</option></select>
    <input id="secret" type="password" placeholder="Admin token" aria-label="Admin token" required>
    <button class="primary" type="submit">Sign in</button>
  </form>
  <button id="signout" class="small hidden" type="button">Sign out</button>
</header>
<main>
  <div id="notice" class="notice hidden" role="status"></div>
  <div id="app" class="hidden">
    <section class="card">
      <div class="chart-head">
        <h2>Last hour</h2>
        <div class="legend"><span><i class="sw-received"></i>received</span><span><i class="sw-delivered"></i>delivered</span><span><i class="sw-failed"></i>failed attempts</span></div>
        <span class="grow"></span><span id="updated" class="muted"></span><button id="refresh" class="small" type="button">Refresh</button>
      </div>
      <svg id="chart" class="chart" viewBox="0 0 720 150" role="img" aria-label="Events per minute in the last hour"></svg>
    </section>
    <div id="layout" class="layout">
      <section class="card">
        <div class="tabs" role="tablist">
          <button class="tab" role="tab" data-state="pending" aria-selected="true">Pending<span class="count">0</span></button>
          <button class="tab" role="tab" data-state="dead" aria-selected="false">Dead<span class="count">0</span></button>
          <button class="tab" role="tab" data-state="delivered" aria-selected="false">Delivered<span class="count">0</span></button>
        </div>
        <form id="filters" class="filters">
          <label>Event<input id="f-event" placeholder="e.g. order.created"></label>
          <label>Tenant<input id="f-tenant" placeholder="e.g. tenant123"></label>
          <label>Received from<input id="f-from" type="datetime-local"></label>
          <label>Received before<input id="f-to" type="datetime-local"></label>
          <div class="row actions">
            <button type="submit">Apply filters</button><button id="clear" type="button">Clear</button>
            <span class="grow"></span>
            <span id="dead-actions" class="row hidden">
              <button id="redeliver-all" type="button">Redeliver all dead</button>
              <button id="purge-dead" class="danger" type="button">Purge dead</button>
            </span>
          </div>
        </form>
        <table>
          <thead><tr><th>Received</th><th>Event</th><th>Tenant</th><th>ID</th><th>Attempts</th><th>Status</th><th></th></tr></thead>
          <tbody id="rows"></tbody>
        </table>
        <div class="row"><button id="more" class="hidden" type="button">Load more</button></div>
      </section>
      <aside id="detail" class="card detail hidden"></aside>
    </div>
  </div>
</main>
`

const SWATCHES = '.sw-received { background: var(--received); } .sw-delivered { background: var(--delivered); } .sw-failed { background: var(--failed); }'

function page(nonce: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>Deliveries · webhook-trigger</title>' +
    `<style nonce="${nonce}">${STYLE}${SWATCHES}</style></head><body>${BODY}<script nonce="${nonce}">${SCRIPT}</script></body></html>`
  )
}

/**
 * The console page with a fresh nonce, and headers that let it run its own
 * inline script and style and nothing else: no other script, no framing, no
 * form posts, fetches to this origin only.
 */
export function consoleResponse(): WebhookResponse {
  const nonce = randomBytes(16).toString('base64')
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    },
    body: page(nonce),
  }
}
