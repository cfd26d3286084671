// 防犯施策アシスタント — the measures: the list by section and one measure's timeline. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

import { api, showError } from './api.js';
import { charts } from './chart.js';
import { $, badge, el, shortYear, statusBadge } from './dom.js';
import { eraYear, state } from './state.js';

export async function showMeasureList() {
  const box = $('measures-list');
  if (!state.measures) {
    box.replaceChildren(el('p', { text: '読み込み中…' }));
    try {
      state.measures = await api('/api/measures');
    } catch (e) {
      box.replaceChildren();
      showError(e.message);
      return;
    }
  }
  box.replaceChildren(
    ...state.measures.sections.map((s) => {
      const items = s.measures.map((m) => {
        const meta = `${m.departments.join('・')}／${m.fiscal_years.map(eraYear).join('・')}`;
        const link = el('a', { href: `#/measures/${encodeURIComponent(m.measure_id)}`, text: m.name });
        return el('li', {}, link, el('span', { class: 'meta', text: meta }));
      });
      return el('section', { class: 'section-list' }, el('h3', { text: `${s.number} ${s.title}` }),
        el('p', { class: 'purpose', text: s.purpose }), el('ul', {}, ...items));
    }),
  );
}

export async function showMeasure(id) {
  const heading = $('measure-heading');
  const box = $('measure-body');
  heading.textContent = '読み込み中…';
  box.replaceChildren();
  const load = ++state.loads;
  let m;
  try {
    m = await api(`/api/measures/${encodeURIComponent(id)}`);
    if (load !== state.loads) return; // another measure was opened meanwhile
  } catch (e) {
    if (load !== state.loads) return;
    heading.textContent = '施策を表示できません';
    showError(e.message);
    return;
  }
  // Every year of the timeline with its label, gaps included: the charts below need them even when the page was
  // opened at this measure, before /api/options has answered.
  for (const y of m.years) state.yearLabels.set(y.fiscal_year, y.fiscal_year_label);
  heading.textContent = m.name;
  box.append(
    el('p', { class: 'meta', text: `分野：${m.section}` }),
    el('p', { class: 'meta', text: `担当課：${m.departments.join('・')}` }),
  );
  if (m.names.length > 1) box.append(el('p', { class: 'meta', text: `報告書での名称：${m.names.join('／')}` }));
  if (m.description) box.append(el('p', { class: 'description', text: m.description }));
  const figures = charts(m.series, m.years.filter((y) => y.reported).map((y) => y.fiscal_year));
  if (figures) box.append(el('h3', { text: '数値の推移' }), figures);
  box.append(el('h3', { text: '年度ごとの取組み' }), el('div', { class: 'years' }, ...m.years.map((y) => yearColumn(y, m))));
}

function yearColumn(y, m) {
  const cls = y.reported ? (y.listed ? 'year' : 'year unlisted') : 'year gap';
  const col = el('section', { class: cls }, el('h4', { text: shortYear(y.fiscal_year_label) }));
  if (!y.reported || !y.listed) {
    col.append(el('p', { class: 'gap-note', text: y.reported ? '記載なし' : '報告なし' }));
    return col;
  }
  if (y.name && y.name !== m.name) col.append(el('p', { class: 'meta', text: `名称：${y.name}` }));
  const byDept = new Map();
  for (const b of y.bullets) {
    if (!byDept.has(b.department)) byDept.set(b.department, []);
    byDept.get(b.department).push(b);
  }
  if (!byDept.size) col.append(el('p', { class: 'gap-note', text: '取組みの記載なし' }));
  for (const [dept, bullets] of byDept) {
    if (dept) col.append(el('p', { class: 'bullet-dept', text: `【${dept}】` }));
    const items = bullets.map((b) =>
      el('li', {}, el('span', { text: b.text }), statusBadge(b), b.new ? badge('new', '新規') : null),
    );
    col.append(el('ul', {}, ...items));
  }
  return col;
}
