// 防犯施策アシスタント — charts of figures over years. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

import { el, formatNumber, svg } from './dom.js';
import { eraYear, state } from './state.js';

// A small line chart: every year from the first to the last point gets a slot on x (a year with no report
// stays empty and the line is dashed across it); values on y, each point labelled with its figure.
export function chart(series, reportedYears) {
  const points = series.points.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.fiscal_year - b.fiscal_year);
  if (points.length < 2) return null;
  const first = points[0].fiscal_year;
  const slots = Array.from({ length: points[points.length - 1].fiscal_year - first + 1 }, (_, i) => first + i);
  const reported = new Set([...reportedYears, ...points.map((p) => p.fiscal_year)]);
  const [W, H, top, bottom, side] = [480, 200, 30, 34, 8];
  const max = Math.max(...points.map((p) => p.value), 0);
  const min = Math.min(...points.map((p) => p.value), 0);
  const x = (fy) => side + ((slots.indexOf(fy) + 0.5) * (W - 2 * side)) / slots.length;
  const y = (v) => top + (H - top - bottom) * (1 - (v - min) / (max - min || 1));
  const unit = series.unit || '';
  const shown = (p) => p.display || `${formatNumber(p.value)}${unit}`;
  const id = `chart-${++state.charts}`;
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d` });
  root.append(
    svg('title', { id: `${id}-t` }, `${series.label}の推移（単位：${unit}）`),
    svg('desc', { id: `${id}-d` }, points.map((p) => `${eraYear(p.fiscal_year)} ${shown(p)}`).join('、')),
    svg('line', { class: 'axis', x1: side, x2: W - side, y1: y(min), y2: y(min) }),
  );
  for (const fy of slots) {
    const cls = reported.has(fy) ? 'tick' : 'tick tick-gap';
    root.append(svg('text', { class: cls, x: x(fy), y: H - 10 }, eraYear(fy).replace('年度', '')));
  }
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const cls = b.fiscal_year - a.fiscal_year > 1 ? 'seg seg-gap' : 'seg';
    root.append(svg('line', { class: cls, x1: x(a.fiscal_year), y1: y(a.value), x2: x(b.fiscal_year), y2: y(b.value) }));
  }
  points.forEach((p, i) => {
    // a label goes under a dip (so the line into it does not cross it), else above the point
    const near = [points[i - 1], points[i + 1]].filter(Boolean);
    const dip = near.some((n) => n.value > p.value) && near.every((n) => n.value >= p.value);
    const below = dip && y(p.value) + 24 < y(min) - 4;
    root.append(
      svg('circle', { class: 'pt', cx: x(p.fiscal_year), cy: y(p.value), r: 5 }),
      svg('text', { class: 'val', x: x(p.fiscal_year), y: y(p.value) + (below ? 22 : -10) }, shown(p)),
    );
  });
  const caption = `${series.label}（${unit}）${slots.length > points.length ? '　点線：報告のない年度' : ''}`;
  return el('figure', { class: 'chart-box' }, el('figcaption', { text: caption }), el('div', { class: 'chart-scroll' }, root));
}

export function charts(seriesList, reportedYears) {
  const figures = (seriesList || []).map((s) => chart(s, reportedYears)).filter(Boolean);
  if (!figures.length) return null;
  const box = el('div', { class: 'charts' }, ...figures.slice(0, 3));
  if (figures.length <= 3) return box;
  const more = el('details', { class: 'more-charts' }, el('summary', { text: `ほかの数値の推移（${figures.length - 3}件）` }));
  more.append(el('div', { class: 'charts' }, ...figures.slice(3)));
  return el('div', {}, box, more);
}
