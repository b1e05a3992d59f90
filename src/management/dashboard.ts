// The dashboard at `/`: one static HTML page with inline CSS, JS and SVG (no build step, nothing
// fetched from the network) that polls this API every second. Reads only; never changes the broker.

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Warren</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { --fg: #1d2430; --muted: #6b7585; --line: #e3e7ee; --bg: #f6f8fb; --a: #2f6fde; --b: #e5893a; --c: #2e9e6b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 12px; padding: 12px 24px; background: #1d2430; color: #fff; }
  header h1 { margin: 0; font-size: 20px; }
  header span { color: #aab4c4; }
  main { padding: 16px 24px; display: grid; gap: 16px; }
  .cards { display: grid; grid-template-columns: repeat(8, 1fr); gap: 8px; }
  .card, section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
  .card b { display: block; font-size: 22px; }
  .card small, .muted { color: var(--muted); }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  h2 { margin: 0 0 8px; font-size: 15px; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  svg { width: 100%; height: 160px; }
  .legend i { display: inline-block; width: 10px; height: 3px; margin: 0 4px 3px 10px; }
  #login { display: none; }
  #login.shown { display: block; }
  #error { color: #b3261e; }
</style>
</head>
<body>
<header><h1>Warren</h1><span id="product"></span><span id="error"></span></header>
<main>
  <section id="login">
    <h2>Log in</h2>
    <form id="login-form"><input id="user" placeholder="username" value="guest"> <input id="pass" type="password" placeholder="password"> <button>Log in</button></form>
  </section>
  <div class="cards" id="cards"></div>
  <div class="charts">
    <section><h2>Queued messages</h2><div class="legend"><i style="background:var(--a)"></i>ready<i style="background:var(--b)"></i>unacked</div><svg id="depth-chart" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></section>
    <section><h2>Message rates <span class="muted">/s</span> <span class="muted" id="rates-note"></span></h2><div class="legend"><i style="background:var(--a)"></i>publish<i style="background:var(--b)"></i>deliver<i style="background:var(--c)"></i>ack</div><svg id="rate-chart" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></section>
  </div>
  <section><h2>Queues</h2><table id="queues"><thead><tr><th>Virtual host</th><th>Name</th><th>Type</th><th>State</th><th class="n">Ready</th><th class="n">Unacked</th><th class="n">Total</th><th class="n">Consumers</th><th class="n">Publish/s</th><th class="n">Deliver/s</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Connections</h2><table id="connections"><thead><tr><th>Name</th><th>User</th><th>Virtual host</th><th class="n">Channels</th><th>State</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
'use strict';
const HISTORY = 60;
const history = [];
let auth = sessionStorage.getItem('warren-auth') || btoa('guest:guest');

async function api(path) {
  const res = await fetch(path, { headers: { authorization: 'Basic ' + auth } });
  if (res.status === 401) { document.getElementById('login').className = 'shown'; throw new Error('not logged in'); }
  if (!res.ok) throw new Error(path + ': ' + res.status);
  return res.json();
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function rate(stats, key) {
  const d = stats && stats[key + '_details'];
  return d ? d.rate : 0;
}

function renderCards(o) {
  const t = o.object_totals, q = o.queue_totals, m = o.message_stats || {};
  const cards = [['Connections', t.connections], ['Channels', t.channels], ['Queues', t.queues], ['Consumers', t.consumers],
    ['Ready', q.messages_ready], ['Unacked', q.messages_unacknowledged], ['Publish/s', rate(m, 'publish')], ['Deliver/s', rate(m, 'deliver_get')]];
  const box = document.getElementById('cards');
  box.replaceChildren(...cards.map(([label, value]) => {
    const c = el('div', undefined, 'card');
    const b = el('b', value);
    b.dataset.card = label;
    c.append(b, el('small', label));
    return c;
  }));
}

function renderRows(id, rows) {
  document.querySelector('#' + id + ' tbody').replaceChildren(...rows.map((cells) => {
    const tr = el('tr');
    for (const [value, numeric, field] of cells) {
      const td = el('td', value, numeric ? 'n' : '');
      if (field) td.dataset.field = field;
      tr.append(td);
    }
    return tr;
  }));
}

function renderQueues(queues) {
  renderRows('queues', queues.map((q) => [[q.vhost], [q.name, false, 'name'], [q.type], [q.state],
    [q.messages_ready, true, 'messages_ready'], [q.messages_unacknowledged, true, 'messages_unacknowledged'], [q.messages, true, 'messages'],
    [q.consumers, true, 'consumers'], [rate(q.message_stats, 'publish'), true], [rate(q.message_stats, 'deliver_get'), true]]));
  for (const tr of document.querySelectorAll('#queues tbody tr')) tr.dataset.queue = tr.children[1].textContent;
}

function renderConnections(conns) {
  renderRows('connections', conns.map((c) => [[c.name], [c.user], [c.vhost], [c.channels, true], [c.state]]));
}

function chart(id, series, colors) {
  const svg = document.getElementById(id), w = 600, h = 160, pad = 14;
  const max = Math.max(1, ...series.flat());
  const parts = ['<line x1="0" y1="' + (h - pad) + '" x2="' + w + '" y2="' + (h - pad) + '" stroke="#e3e7ee"/>',
    '<text x="4" y="12" font-size="11" fill="#6b7585">' + (Math.round(max * 10) / 10) + '</text>'];
  series.forEach((points, i) => {
    if (points.length < 2) return;
    const step = w / (HISTORY - 1), x0 = w - (points.length - 1) * step;
    const d = points.map((v, j) => (j ? 'L' : 'M') + (x0 + j * step).toFixed(1) + ' ' + (h - pad - (v / max) * (h - 2 * pad)).toFixed(1)).join(' ');
    parts.push('<path d="' + d + '" fill="none" stroke="' + colors[i] + '" stroke-width="2"/>');
  });
  svg.innerHTML = parts.join('');
}

async function tick() {
  try {
    const [overview, queues, conns] = await Promise.all([api('/api/overview'), api('/api/queues'), api('/api/connections')]);
    document.getElementById('product').textContent = overview.product_name + ' ' + overview.product_version + ' (RabbitMQ ' + overview.rabbitmq_version + ' API)';
    document.getElementById('error').textContent = '';
    const m = overview.message_stats || {}, q = overview.queue_totals;
    document.getElementById('rates-note').textContent = m.publish_details ? '' : '(not counted by this broker yet)';
    history.push({ ready: q.messages_ready, unacked: q.messages_unacknowledged, publish: rate(m, 'publish'), deliver: rate(m, 'deliver_get'), ack: rate(m, 'ack') });
    if (history.length > HISTORY) history.shift();
    renderCards(overview);
    renderQueues(queues);
    renderConnections(conns);
    chart('depth-chart', [history.map((s) => s.ready), history.map((s) => s.unacked)], ['#2f6fde', '#e5893a']);
    chart('rate-chart', [history.map((s) => s.publish), history.map((s) => s.deliver), history.map((s) => s.ack)], ['#2f6fde', '#e5893a', '#2e9e6b']);
    document.body.dataset.updated = String(Date.now());
  } catch (err) {
    document.getElementById('error').textContent = err.message;
  }
}

document.getElementById('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  auth = btoa(document.getElementById('user').value + ':' + document.getElementById('pass').value);
  sessionStorage.setItem('warren-auth', auth);
  document.getElementById('login').className = '';
  tick();
});
tick();
setInterval(tick, 1000);
</script>
</body>
</html>
`
