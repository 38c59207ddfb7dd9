// Training Run / Compare Runs webview. Loaded with the page's nonce; uPlot (window.uPlot) is
// loaded before it from the extension's dist/webview. Talks to src/ui/panels/trainingRunPanel.ts:
//   -> {type:'ready'}
//   <- {type:'init', mode:'run', state, info, series:{name:{xs,ys,xKind}}}
//   <- {type:'points', points:[[name,x,y,xKind],...], sentAt} (run mode, batched)
//   <- {type:'status', info, peaks?}                          (run mode, on exit; info.diagnosis says why it died)
//   <- {type:'resources', sample?, gpu?, peaks, sentAt}        (run mode: a stats entry or GPU sample)
//   init (run mode) also carries resources: {samples, gpu?, peaks?, live}
//   <- {type:'init', mode:'compare', state, runs, metrics:{name:{xs,ys:[[...]...],xKind}}, table}
//   <- {type:'error', message}
// Every draw is noted in window.mllabDraws (time, points drawn, last point per metric), which
// tests and the latency benchmark read; each chart's <section> carries data-points. Resource
// updates are noted in window.mllabResources (arrival time, sentAt) and #resources carries
// data-samples.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  const css = getComputedStyle(document.body);
  const v = (name, fallback) => (css.getPropertyValue(name) || '').trim() || fallback;
  const palette = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow']
    .map((n, i) => v(n, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'][i]));
  const fg = v('--vscode-foreground', '#ccc');
  const grid = v('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  window.mllabDraws = [];
  const series = new Map(); // name -> {xs, ys, xKind}
  const charts = new Map(); // name -> {u, el}
  const dirty = new Set();
  let frame = 0;
  let info;
  // resources: stats samples (oldest first), the latest GPU sample, peaks, whether a stream feeds them
  const res = { samples: [], gpu: undefined, peaks: undefined, live: false, charts: {} };
  window.mllabResources = [];

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, val] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = val;
      else e.setAttribute(k, val);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const fmt = (y) => {
    if (y === null || y === undefined) return '-';
    if (!Number.isFinite(y)) return String(y);
    const a = Math.abs(y);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? y.toExponential(3) : String(Number(y.toPrecision(5)));
  };
  const xLabel = (k) => (k === 'line' ? 'line' : k);
  // sizes as docker stats shows them (binary units), as src/core/runs/stats.ts formatBinaryBytes
  const bytes = (b) => {
    if (b === undefined || b === null || !Number.isFinite(b)) return '-';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = b, i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return `${Number(v.toPrecision(3))} ${u[i]}`;
  };
  const pct = (p) => (p === undefined || p === null ? '-' : `${(Math.round(p * 10) / 10).toFixed(1)}%`);

  // whole-number ticks for steps, line numbers and whole epochs (no "2.5" epoch)
  const wholeIncrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];
  function axes(whole) {
    const a = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    return [Object.assign(whole ? { incrs: wholeIncrs } : {}, a), Object.assign({ size: 60 }, a)];
  }

  // Series points use uPlot's own rule (drawn only while they are sparser than points.space
  // px): a fixed choice made when the chart was created drew a circle per point for ever, and
  // at 15,000 points those arcs took most of the page's main thread (bench/runPanel.bench.ts).
  function makeChart(name, xKind, labels, data) {
    const section = el('section', { class: 'chart', 'data-metric': name, 'data-points': '0' }, el('h3', {}, name));
    const holder = el('div', { class: 'plot' });
    section.append(holder);
    document.getElementById('charts').append(section);
    const width = Math.max(280, holder.clientWidth || section.clientWidth || 400);
    const opts = {
      width,
      height: 220,
      scales: { x: { time: false } },
      axes: axes(xKind !== 'epoch' || data[0].every((x) => Number.isInteger(x))),
      legend: { show: labels.length > 1 },
      series: [{ label: xLabel(xKind) }].concat(labels.map((l, i) => ({ label: l, stroke: palette[i % palette.length], width: 2, spanGaps: true }))),
    };
    const u = new uPlot(opts, data, holder);
    charts.set(name, { u, el: section });
    section.dataset.points = String(data[0].length);
    return u;
  }

  function resize() {
    for (const { u, el: s } of charts.values()) u.setSize({ width: Math.max(280, s.clientWidth - 16), height: 220 });
  }
  new ResizeObserver(() => resize()).observe(document.body);

  function header(i) {
    const rows = [
      ['status', i.status + (i.exitCode !== undefined && i.exitCode !== null ? ` (exit code ${i.exitCode})` : '')],
      ['duration', i.duration || (i.running ? 'running' : '-')],
      ['image', i.image],
      ['image digest', i.digest || '-'],
      ['container', i.container],
    ];
    if (i.engine) rows.push(['engine', i.engine]);
    if (i.git) rows.push(['git commit', i.git]);
    if (i.startedAt) rows.push(['started', new Date(i.startedAt).toLocaleString()]);
    const dl = el('dl', { id: 'info', 'data-status': i.status, 'data-exit-code': i.exitCode === undefined || i.exitCode === null ? '' : String(i.exitCode) });
    for (const [k, val] of rows) dl.append(el('dt', {}, k), el('dd', { 'data-field': k }, val));
    return dl;
  }

  function diagnosisBox(i) {
    return i.diagnosis ? el('div', { id: 'diagnosis', class: 'diagnosis', role: 'alert' }, el('strong', {}, 'Why it died: '), i.diagnosis) : el('div', { id: 'diagnosis', hidden: '' });
  }

  // --- resources: a table of the latest figures and peaks, and two small charts (CPU %, memory) ---
  function resourceRows() {
    const s = res.samples[res.samples.length - 1];
    const p = res.peaks || {};
    const rows = [];
    if (s) {
      rows.push(['CPU', pct(s.cpuPercent)]);
      rows.push(['memory', `${bytes(s.memoryBytes)} / ${bytes(s.memoryLimitBytes)}${s.memoryLimitBytes ? ` (${pct((s.memoryBytes / s.memoryLimitBytes) * 100)})` : ''}`]);
      rows.push(['network I/O', `${bytes(s.netRxBytes)} in / ${bytes(s.netTxBytes)} out`]);
      rows.push(['block I/O', `${bytes(s.blockReadBytes)} read / ${bytes(s.blockWriteBytes)} written`]);
    }
    const g = res.gpu && res.gpu.gpus;
    if (g && g.length) {
      g.forEach((x, k) => rows.push([g.length > 1 ? `GPU ${k}` : 'GPU', `${x.utilizationPercent === undefined ? '-' : x.utilizationPercent + '%'} busy, ${bytes((x.memoryUsedMiB ?? NaN) * 1048576)} / ${bytes((x.memoryTotalMiB ?? NaN) * 1048576)}`]));
    }
    const peaks = [];
    if (p.cpuPercent !== undefined) peaks.push(`CPU ${pct(p.cpuPercent)}`);
    if (p.memoryBytes !== undefined) peaks.push(`memory ${bytes(p.memoryBytes)}${p.memoryLimitBytes ? ` of ${bytes(p.memoryLimitBytes)}` : ''}`);
    if (p.gpuMemoryMiB !== undefined) peaks.push(`GPU memory ${bytes(p.gpuMemoryMiB * 1048576)}`);
    if (peaks.length) rows.push(['peaks', peaks.join(' · ')]);
    return rows;
  }

  function resourceTable() {
    const rows = resourceRows();
    const t = el('dl', { id: 'resources', class: 'resources', 'data-samples': String(res.samples.length), 'data-live': String(res.live) });
    if (!rows.length) {
      t.append(el('dd', { class: 'muted' }, res.live ? 'Waiting for the first stats entry…' : 'No resource figures were recorded for this run.'));
      return t;
    }
    for (const [k, val] of rows) t.append(el('dt', {}, k), el('dd', { 'data-field': k }, val));
    return t;
  }

  function resourceChartData() {
    const t0 = res.samples.length ? res.samples[0].at : 0;
    const xs = res.samples.map((s) => (s.at - t0) / 1000);
    return {
      cpu: [xs, res.samples.map((s) => s.cpuPercent)],
      memory: [xs, res.samples.map((s) => s.memoryBytes / 1048576)],
    };
  }

  function makeResourceCharts() {
    const holder = document.getElementById('resource-charts');
    if (!holder || res.samples.length < 2) return;
    const data = resourceChartData();
    const limit = res.samples[res.samples.length - 1].memoryLimitBytes / 1048576;
    for (const [key, title, color] of [['cpu', 'CPU %', palette[0]], ['memory', `memory MiB (limit ${Number(limit.toPrecision(3))})`, palette[1]]]) {
      const section = el('section', { class: 'chart small', 'data-resource': key }, el('h3', {}, title));
      const plot = el('div', { class: 'plot' });
      section.append(plot);
      holder.append(section);
      const width = Math.max(240, plot.clientWidth || section.clientWidth || 320);
      const u = new uPlot({
        width, height: 120, scales: { x: { time: false } }, legend: { show: false },
        axes: [Object.assign({ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }), Object.assign({ size: 50, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } })],
        series: [{ label: 's' }, { label: title, stroke: color, width: 2, fill: color + '22' }],
      }, data[key], plot);
      res.charts[key] = u;
    }
  }

  function updateResources() {
    const old = document.getElementById('resources');
    if (old) old.replaceWith(resourceTable());
    if (res.charts.cpu) {
      const d = resourceChartData();
      res.charts.cpu.setData(d.cpu);
      res.charts.memory.setData(d.memory);
    } else makeResourceCharts();
  }

  function lastTable() {
    const t = el('table', { id: 'last' }, el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', {}, 'x'), el('th', {}, 'last value'))));
    const body = el('tbody');
    for (const [name, s] of [...series].sort()) {
      const n = s.xs.length;
      body.append(el('tr', { 'data-metric': name }, el('td', {}, name), el('td', {}, n ? `${xLabel(s.xKind)} ${fmt(s.xs[n - 1])}` : '-'), el('td', { class: 'num' }, n ? fmt(s.ys[n - 1]) : '-')));
    }
    t.append(body);
    return t;
  }

  function renderRun() {
    res.charts = {};
    app.replaceChildren(
      el('h2', {}, info.title),
      diagnosisBox(info),
      header(info),
      el('h3', {}, 'Resources'),
      resourceTable(),
      el('div', { id: 'resource-charts', class: 'charts small' }),
      el('h3', {}, 'Last values'),
      lastTable(),
      el('div', { id: 'charts', class: 'charts' }),
    );
    if (!series.size) app.append(el('p', { class: 'muted', id: 'empty' }, 'No metrics in the logs yet. Lines such as "epoch 3 loss 0.62", "loss=0.62" or {"loss": 0.62} are charted as they arrive.'));
    charts.clear();
    for (const [name, s] of series) makeChart(name, s.xKind, [name], [s.xs, s.ys]);
    makeResourceCharts();
  }

  // keep xs ascending and unique, as src/core/logs/metrics.ts addPoint does
  function addPoint(s, x, y) {
    const n = s.xs.length;
    if (n === 0 || x > s.xs[n - 1]) { s.xs.push(x); s.ys.push(y); return; }
    let lo = 0, hi = n - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s.xs[mid] < x) lo = mid + 1; else hi = mid; }
    if (s.xs[lo] === x) s.ys[lo] = y; else { s.xs.splice(lo, 0, x); s.ys.splice(lo, 0, y); }
  }

  function draw(sentAt, gotAt) {
    frame = 0;
    const t0 = performance.now();
    let added = false;
    const last = {};
    for (const name of dirty) {
      const s = series.get(name);
      if (!charts.has(name)) { makeChart(name, s.xKind, [name], [s.xs, s.ys]); added = true; }
      else charts.get(name).u.setData([s.xs, s.ys]);
      charts.get(name).el.dataset.points = String(s.xs.length);
      last[name] = [s.xs[s.xs.length - 1], s.ys[s.ys.length - 1]];
    }
    dirty.clear();
    const old = document.getElementById('last');
    if (old) old.replaceWith(lastTable());
    if (added) { const e = document.getElementById('empty'); if (e) e.remove(); }
    window.mllabDraws.push({ at: Date.now(), sentAt, gotAt, ms: performance.now() - t0, last });
    if (window.mllabDraws.length > 2000) window.mllabDraws.splice(0, 1000);
  }

  function renderCompare(m) {
    const table = el('table', { id: 'diff' });
    table.append(el('thead', {}, el('tr', {}, el('th', {}, ''), ...m.table.header.map((h, i) => el('th', {}, el('span', { class: `swatch c${i % 6}` }), h)))));
    const body = el('tbody');
    for (const r of m.table.rows) body.append(el('tr', { class: (r.metric ? 'metric ' : '') + (r.peak ? 'peak ' : '') + (r.differs ? 'differs' : ''), 'data-field': r.field }, el('th', {}, r.field), ...r.values.map((val) => el('td', {}, val))));
    table.append(body);
    app.replaceChildren(el('h2', {}, `Compare ${m.runs.length} runs`), el('h3', {}, 'What differs, and final metrics'), table, el('div', { id: 'charts', class: 'charts' }));
    charts.clear();
    for (const [name, s] of Object.entries(m.metrics)) makeChart(name, s.xKind, m.runs, [s.xs].concat(s.ys));
    window.mllabDraws.push({ at: Date.now(), last: {} });
  }

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'error') { app.replaceChildren(el('p', { class: 'error' }, m.message)); return; }
    if (m.state) vscode.setState(m.state);
    if (m.type === 'init' && m.mode === 'compare') { renderCompare(m); return; }
    if (m.type === 'init') {
      info = m.info;
      const r = m.resources || { samples: [] };
      res.samples = (r.samples || []).slice();
      res.gpu = r.gpu;
      res.peaks = r.peaks;
      res.live = !!r.live;
      series.clear();
      for (const [name, s] of Object.entries(m.series || {})) series.set(name, { xs: s.xs.slice(), ys: s.ys.slice(), xKind: s.xKind });
      renderRun();
      return;
    }
    if (m.type === 'points') {
      for (const [name, x, y, xKind] of m.points) {
        let s = series.get(name);
        if (!s) series.set(name, (s = { xs: [], ys: [], xKind: xKind || 'line' }));
        addPoint(s, x, y);
        dirty.add(name);
      }
      // draw on the next frame; a hidden webview may not get frames, so a timer backs it up
      if (!frame) {
        const sentAt = m.sentAt;
        const gotAt = Date.now();
        frame = requestAnimationFrame(() => draw(sentAt, gotAt));
        setTimeout(() => { if (frame) { cancelAnimationFrame(frame); draw(sentAt, gotAt); } }, 100);
      }
      return;
    }
    if (m.type === 'resources') {
      if (m.sample) {
        res.samples.push(m.sample);
        if (res.samples.length > 600) res.samples.splice(0, res.samples.length - 600);
      }
      if (m.gpu) res.gpu = m.gpu;
      res.peaks = m.peaks;
      updateResources();
      window.mllabResources.push({ at: Date.now(), sentAt: m.sentAt, readAt: m.sample ? m.sample.at : undefined, samples: res.samples.length, gpu: !!m.gpu });
      if (window.mllabResources.length > 2000) window.mllabResources.splice(0, 1000);
      return;
    }
    if (m.type === 'status') {
      info = m.info;
      if (m.peaks) res.peaks = m.peaks;
      res.live = false;
      const old = document.getElementById('info');
      if (old) old.replaceWith(header(info));
      const d = document.getElementById('diagnosis');
      if (d) d.replaceWith(diagnosisBox(info));
      updateResources();
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
