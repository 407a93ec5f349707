import { BASE_STYLE, escapeHtml, htmlPage, scriptJson, vendorScript } from '../html/htmlPage';
import { type EvalReport, money, pct } from './evalReport';

/** Draws the charts from the report's JSON (runs in the page, Chart.js loaded before it). */
const DRAW = `
(() => {
  const report = JSON.parse(document.getElementById('report-data').textContent);
  const names = report.configs.map((c) => c.name);
  const pct = (x) => Math.round(x * 1000) / 10;
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7'];
  const common = { animation: false, responsive: true, maintainAspectRatio: false };
  const drawn = [];
  drawn.push(new Chart(document.getElementById('chart-accuracy'), {
    type: 'bar',
    data: { labels: names, datasets: [
      { label: 'accuracy (%)', data: report.configs.map((c) => pct(c.accuracy)), backgroundColor: names.map((_, i) => colors[i % colors.length]) },
      { label: '95% confidence interval', data: report.configs.map((c) => [pct(c.ci.low), pct(c.ci.high)]), backgroundColor: 'rgba(127,127,127,0.35)' },
    ] },
    options: { ...common, scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } },
  }));
  const priced = report.configs.filter((c) => c.cost);
  if (priced.length) {
    drawn.push(new Chart(document.getElementById('chart-cost'), {
      type: 'bar',
      data: { labels: priced.map((c) => c.name), datasets: [
        { label: 'mean cost per item ($)', data: priced.map((c) => c.cost.mean), backgroundColor: '#4e79a7' },
        { label: 'median cost per item ($)', data: priced.map((c) => c.cost.median), backgroundColor: '#a0cbe8' },
      ] },
      options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: '$' } } } },
    }));
    drawn.push(new Chart(document.getElementById('chart-tradeoff'), {
      type: 'scatter',
      data: { datasets: priced.map((c, i) => ({ label: c.name, data: [{ x: c.cost.mean, y: pct(c.accuracy) }], backgroundColor: colors[i % colors.length], pointRadius: 7 })) },
      options: { ...common, scales: { x: { beginAtZero: true, title: { display: true, text: 'mean cost per item ($)' } }, y: { min: 0, max: 100, title: { display: true, text: 'accuracy (%)' } } } },
    }));
  } else {
    for (const id of ['chart-cost', 'chart-tradeoff']) {
      const note = document.createElement('p');
      note.className = 'muted';
      note.textContent = 'No config has prices, so there is no cost to chart (add "prices" to a config file).';
      document.getElementById(id).parentElement.replaceWith(note);
    }
  }
  document.body.dataset.charts = String(drawn.length);
})();
`;

const STYLE = `${BASE_STYLE}
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
.chart { position: relative; height: 280px; }
`;

/** The report as one self-contained page: summary and item tables, and charts drawn with Chart.js (inlined). */
export function reportHtml(report: EvalReport): string {
  const summaryRows = report.configs.map((c) => `<tr><td>${escapeHtml(c.name)}</td><td>${pct(c.accuracy)}</td><td>${pct(c.ci.low)}–${pct(c.ci.high)}</td>` +
    `<td>${c.correct}/${c.total}</td><td>${c.cost ? money(c.cost.mean) : '–'}</td><td>${c.cost ? money(c.cost.median) : '–'}</td><td>${Math.round(c.tokens.mean)}</td>` +
    `<td>${c.subCalls.mean.toFixed(1)}</td><td>${c.iterations.mean.toFixed(1)}</td><td>${(c.ms.median / 1000).toFixed(1)} s</td><td>${c.forced}</td><td>${c.errors}</td></tr>`).join('\n');
  const itemRows = report.items.map((i) => `<tr><td>${escapeHtml(i.id)}</td><td>${escapeHtml(i.config)}</td><td>${escapeHtml(i.predicted ?? (i.error ? `error: ${i.error}` : '–'))}</td>` +
    `<td>${escapeHtml(i.expected)}</td><td class="${i.correct ? 'good' : 'bad'}">${i.correct ? 'yes' : 'no'}</td><td>${i.usage.tokens}</td>` +
    `<td>${i.usage.cost !== undefined ? money(i.usage.cost) : '–'}</td><td>${i.usage.subCalls}</td><td>${i.usage.iterations}</td><td>${(i.ms / 1000).toFixed(1)} s</td></tr>`).join('\n');
  const body = `
<h1>recurse eval — ${escapeHtml(report.dataset)}${report.partial ? ' <span class="bad">(partial: interrupted)</span>' : ''}</h1>
<p class="muted">started ${escapeHtml(report.startedAt)} · ${report.configs.length} config(s) · ${report.items.length} results</p>
<div class="charts">
  <figure><figcaption>Accuracy per config, with its 95% confidence interval</figcaption><div class="chart"><canvas id="chart-accuracy" role="img" aria-label="accuracy per config"></canvas></div></figure>
  <figure><figcaption>Cost per item</figcaption><div class="chart"><canvas id="chart-cost" role="img" aria-label="cost per config"></canvas></div></figure>
  <figure><figcaption>Cost against accuracy</figcaption><div class="chart"><canvas id="chart-tradeoff" role="img" aria-label="cost against accuracy"></canvas></div></figure>
</div>
<h2>Configs</h2>
<table><thead><tr><th>config</th><th>accuracy</th><th>95% CI</th><th>correct</th><th>mean cost</th><th>median cost</th><th>mean tokens</th><th>sub-calls</th><th>iterations</th><th>median time</th><th>forced</th><th>errors</th></tr></thead>
<tbody>${summaryRows}</tbody></table>
<h2>Items</h2>
<table><thead><tr><th>item</th><th>config</th><th>predicted</th><th>expected</th><th>correct</th><th>tokens</th><th>cost</th><th>sub-calls</th><th>iterations</th><th>time</th></tr></thead>
<tbody>${itemRows}</tbody></table>
<script type="application/json" id="report-data">${scriptJson(report)}</script>`;
  return htmlPage({ title: `recurse eval — ${report.dataset}`, style: STYLE, body, scripts: [vendorScript('chart.js', 'chart.umd.min.js'), DRAW] });
}
