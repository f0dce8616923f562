/** @module inspectorPage: the inspector's web page (plain HTML and JS, no bundler): actor tree, statechart, timeline, time-travel slider. */

const css = `
body{font:13px system-ui,sans-serif;margin:0;display:grid;grid-template-columns:300px 1fr 320px;grid-template-rows:auto 1fr auto;height:100vh}
header{grid-column:1/4;padding:6px 10px;background:#222;color:#eee;display:flex;gap:12px;align-items:center}
header input[type=range]{flex:1}
#tree{overflow:auto;border-right:1px solid #ccc;padding:6px}#tree ul{list-style:none;padding-left:14px;margin:0}
#tree li>span{cursor:pointer;padding:1px 4px;border-radius:3px;display:inline-block;margin:1px 0}
#tree li.selected>span{outline:2px solid #000}
.status-idle,.status-completed,.status-verified,.status-running{background:#c8f2c8}.status-busy,.status-assigned,.status-verifying{background:#fde7a0}
.status-pending,.status-retrying{background:#dde6ff}.status-failed,.status-error,.status-timed_out,.status-rejected,.status-halted{background:#f8b4b4}
.status-cancelled,.status-stopped,.status-paused{background:#ddd}
.status-running{background:#9fe29f}
#main{overflow:auto;padding:6px}#side{overflow:auto;border-left:1px solid #ccc;padding:6px}
svg .state rect{fill:#fff;stroke:#555;rx:6}svg .state.active rect{fill:#ffd84d;stroke:#c00;stroke-width:3}
svg text{font-size:11px}svg .edge{stroke:#999;fill:none;marker-end:url(#arrow)}svg .label{fill:#666;font-size:9px}
footer{grid-column:1/4;max-height:180px;overflow:auto;border-top:1px solid #ccc;padding:4px 10px;font-family:monospace;font-size:12px}
#timeline li.input{font-weight:bold}pre{white-space:pre-wrap;font-size:11px}
`;

const js = String.raw`
const token = new URLSearchParams(location.search).get('token');
const api = (path) => fetch(path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token)).then((r) => { if (!r.ok) throw new Error(r.status + ' ' + path); return r.json(); });
const $ = (id) => document.getElementById(id);
let info, state, selected = 'coordinator', following = true, pending;

function el(tag, attrs, ...kids) { const e = document.createElement(tag); for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); for (const c of kids) e.append(c); return e; }

function renderTree() {
  const byParent = new Map();
  for (const a of state.actors) { if (!byParent.has(a.parent)) byParent.set(a.parent, []); byParent.get(a.parent).push(a); }
  const node = (a) => {
    const li = el('li', { 'data-address': a.address, 'data-status': a.status, class: a.address === selected ? 'selected' : '' }, el('span', { class: 'status-' + a.status }, a.address + ' · ' + a.status));
    li.firstChild.onclick = () => { selected = a.address; render(); };
    const kids = byParent.get(a.address) || [];
    if (kids.length) li.append(el('ul', {}, ...kids.map(node)));
    return li;
  };
  const roots = state.actors.filter((a) => a.parent === '' || !state.actors.some((b) => b.address === a.parent));
  $('tree').replaceChildren(el('ul', {}, ...roots.map(node)), el('div', {}, state.truncated ? state.truncated + ' more tasks not listed' : ''));
}

function machineOf(address) { return address === 'coordinator' ? 'coordinator' : address.split(':')[0]; }

function renderChart() {
  const actor = state.actors.find((a) => a.address === selected);
  const def = info.machines[machineOf(selected)];
  const names = Object.keys(def.states);
  const cols = Math.ceil(Math.sqrt(names.length)), w = 130, h = 40, gx = 80, gy = 60;
  const pos = {}; names.forEach((n, i) => (pos[n] = { x: 20 + (i % cols) * (w + gx), y: 20 + Math.floor(i / cols) * (h + gy) }));
  const ns = 'http://www.w3.org/2000/svg';
  const s = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
  const svg = s('svg', { width: 20 + cols * (w + gx), height: 20 + Math.ceil(names.length / cols) * (h + gy) });
  svg.append(s('defs', {})); svg.firstChild.innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#999"/></marker>';
  for (const n of names) for (const [ev, ts] of Object.entries(def.states[n].on || {})) for (const t of ts) for (const target of t.target || []) {
    const to = target.split('.').pop(); if (!pos[to] || to === n) continue;
    const a = pos[n], b = pos[to];
    svg.append(s('line', { class: 'edge', x1: a.x + w / 2, y1: a.y + h / 2, x2: b.x + w / 2, y2: b.y + h / 2 }));
    svg.append(s('text', { class: 'label', x: (a.x + b.x + w) / 2, y: (a.y + b.y + h) / 2 }, ev));
  }
  for (const n of names) {
    const g = s('g', { class: 'state' + (actor && actor.status === n ? ' active' : ''), 'data-state': n });
    g.append(s('rect', { x: pos[n].x, y: pos[n].y, width: w, height: h }), s('text', { x: pos[n].x + 8, y: pos[n].y + 24 }, n));
    svg.append(g);
  }
  $('chart').replaceChildren(el('h3', {}, selected + (actor ? ' — ' + actor.status : ' (not present at this point)')), svg);
  $('context').textContent = actor ? JSON.stringify(actor.context, null, 1) : '';
}

function renderModels() {
  const m = state.models;
  const rows = Object.entries(m.agents).map(([id, a]) => id + ': ' + a.status + ', load ' + a.load + ', success ' + (a.successRate === null ? '-' : Math.round(a.successRate * 100) + '%'));
  $('models').textContent = 'tasks ' + JSON.stringify(m.tasksByStatus) + '\nagents ' + JSON.stringify(m.agentsByStatus) + '\n' + rows.join('\n') + '\nqueue (' + m.queue.length + '): ' + m.queue.slice(0, 20).join(', ');
}

function render() { renderTree(); renderChart(); renderModels(); $('seq').textContent = state.seq + ' / ' + state.lastSeq; }

async function timeline(seq) {
  const recs = await api('/api/timeline?from=' + Math.max(0, seq - 15) + '&to=' + seq);
  $('timeline').replaceChildren(...recs.filter((r) => r.kind !== 'message').map((r) => el('li', { class: r.kind === 'input.applied' ? 'input' : '' },
    '#' + r.seq + ' ' + r.kind + ' ' + (r.kind === 'input.applied' ? r.input.type + ' ' + JSON.stringify(r.input).slice(0, 120) : r.kind === 'transition' ? r.address + ' ' + r.from + ' → ' + r.to + ' on ' + r.event.type : (r.address || r.taskId || '')))));
}

async function go(seq) {
  state = await api('/api/state?seq=' + seq);
  const slider = $('slider'); slider.max = state.lastSeq; slider.value = state.seq;
  following = state.seq === state.lastSeq;
  render(); await timeline(state.seq);
  document.body.dataset.seq = String(state.seq);
}

async function main() {
  info = await api('/api/info');
  $('origin').textContent = (info.live ? 'live: ' : 'recording: ') + info.origin;
  $('slider').oninput = () => { clearTimeout(pending); pending = setTimeout(() => go(Number($('slider').value)), 60); };
  await go(info.lastSeq);
  if (info.live) {
    // Ready once the live socket is open and the state re-read, so nothing in between is missed.
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?token=' + encodeURIComponent(token));
    await new Promise((resolve, reject) => {
      ws.onerror = () => reject(new Error('live socket refused'));
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === 'hello') go(1e15).then(resolve, reject);
        else if (m.type === 'record' && following) { clearTimeout(pending); pending = setTimeout(() => go(1e15), 100); }
      };
    });
  }
  document.body.dataset.ready = 'true';
}
main().catch((e) => { document.body.dataset.error = e.message; $('origin').textContent = 'error: ' + e.message; });
`;

/**
 * The whole page as one HTML document (the server adds nothing; the page reads its token from its URL).
 * @example res.end(inspectorPageHtml())
 */
export function inspectorPageHtml(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>hivestate inspector</title><style>${css}</style></head>
<body><header><b>hivestate</b><span id="origin"></span><input id="slider" type="range" min="0" max="0" value="0" aria-label="time travel"><span id="seq"></span></header>
<nav id="tree"></nav><main id="main"><div id="chart"></div><pre id="context"></pre></main><aside id="side"><h3>Read models</h3><pre id="models"></pre></aside>
<footer><ol id="timeline"></ol></footer><script type="module">${js}</script></body></html>`;
}
