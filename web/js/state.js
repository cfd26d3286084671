// 防犯施策アシスタント — what the page remembers. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

import { shortYear } from './dom.js';

export const state = {
  turns: [], // {role, content}, oldest first
  busy: false,
  answers: 0,
  lastQuestion: '',
  yearLabels: new Map(), // fiscal year → 令和5年度（2023年度）, for every year of the timeline (/api/options)
  measures: null,
  chatScroll: 0,
  returnFocus: null,
  view: 'chat',
  charts: 0,
  loads: 0,
};

// The server's limits (/api/options `limits`): the last turns it reads (question + answer each), the length of
// one, and the body size (history is trimmed to stay under it, with room for the JSON around the turns). Until
// the options arrive, the defaults' values.
export const limits = { historyMessages: 20, maxTurnChars: 5000, maxBodyBytes: 60000 };

// 2019 → 令和元年度: the server's label for any year of the timeline, also for the gap years no report covers.
export function eraYear(fy) {
  return state.yearLabels.has(fy) ? shortYear(state.yearLabels.get(fy)) : `${fy}年度`;
}

// 平成29年度… → 「平成29〜30年度、令和4〜6年度」: consecutive years of one era become a range.
export function yearsRange(years) {
  const runs = [];
  for (const y of years) {
    const m = /^(\D+?)(元|\d+)年度/.exec(y.label);
    if (!m) continue;
    const n = m[2] === '元' ? 1 : Number(m[2]);
    const last = runs[runs.length - 1];
    if (last && last.era === m[1] && y.fiscal_year === last.fy + 1) Object.assign(last, { to: m[2], fy: y.fiscal_year });
    else runs.push({ era: m[1], from: m[2], to: m[2], fy: y.fiscal_year, n });
  }
  return runs.map((r) => (r.from === r.to ? `${r.era}${r.from}年度` : `${r.era}${r.from}〜${r.to}年度`)).join('、');
}
