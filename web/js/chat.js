// 防犯施策アシスタント — the chat: options, filters, asking, answers and their sources. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

import { api, clearError, showError } from './api.js';
import { charts } from './chart.js';
import { $, byteLength, el, shortYear, statusBadge } from './dom.js';
import { eraYear, limits, state, yearsRange } from './state.js';

export async function loadOptions(attempt = 0) {
  let options;
  try {
    options = await api('/api/options');
  } catch (e) {
    showError(e.message);
    if ((e.status === 503 || e.status === 0) && attempt < 60) setTimeout(() => loadOptions(attempt + 1), 3000);
    return;
  }
  if (attempt > 0) clearError();
  if (options.limits) {
    limits.maxBodyBytes = options.limits.max_body_bytes - 4096;
    limits.historyMessages = 2 * options.limits.max_history_turns;
    limits.maxTurnChars = options.limits.max_turn_chars;
  }
  for (const y of options.year_labels || options.years) state.yearLabels.set(y.fiscal_year, y.label);
  $('about').textContent =
    `小金井市防犯指針に基づく取組みの報告書（${yearsRange(options.years)}）の内容について、出典つきでお答えします。`;
  $('examples').replaceChildren(
    ...options.examples.map((q) => el('button', { type: 'button', class: 'chip', text: q, onclick: () => ask(q) })),
  );
  const check = (name, value, label) =>
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name, value }), el('span', { text: label }));
  $('f-years').replaceChildren(...options.years.map((y) => check('years', y.fiscal_year, shortYear(y.label))));
  $('f-sections').replaceChildren(...options.sections.map((s) => check('sections', s.number, `${s.number} ${s.title}`)));
  $('f-departments').replaceChildren(...options.departments.map((d) => check('departments', d, d)));
  updateFilters();
}

export function currentFilters() {
  const values = (id) => [...$(id).querySelectorAll('input:checked')].map((i) => i.value);
  return {
    years: values('f-years').map(Number),
    departments: values('f-departments'),
    sections: values('f-sections').map(Number),
  };
}

export function updateFilters() {
  const f = currentFilters();
  const parts = [...f.years.map(eraYear), ...f.sections.map((s) => `分野${s}`), ...f.departments];
  $('filter-count').textContent = parts.length ? `（${parts.length}件を適用中）` : '';
  $('active-filters').textContent = parts.length ? `絞り込み中：${parts.join('、')}` : '';
  $('active-filters').hidden = !parts.length;
  for (const format of ['csv', 'json']) {
    const p = new URLSearchParams({ format });
    if (state.lastQuestion) p.set('q', state.lastQuestion);
    for (const [key, list] of Object.entries(f)) for (const v of list) p.append(key, String(v));
    $(`export-${format}`).href = `/api/export?${p}`;
  }
}

// `measureIds`: a choice of an answer that asked back is sent with its measure as the filter, so it is answered
// from that measure and not asked back again.
export async function ask(raw, measureIds = []) {
  const question = String(raw).trim();
  const input = $('question');
  if (!question) {
    showError('質問を入力してください。');
    input.focus();
    return;
  }
  if (state.busy) return;
  if (state.view !== 'chat') location.hash = '#/';
  clearError();
  state.busy = true;
  $('send').disabled = true;
  input.value = '';

  const log = $('log');
  const bubble = el('div', { class: 'msg user' }, el('span', { class: 'sr-only', text: 'あなたの質問：' }), question);
  const pending = el('div', { class: 'msg bot pending', 'aria-busy': 'true' }, el('p', { text: '回答を作成しています…' }));
  log.append(bubble, pending);
  bubble.scrollIntoView({ block: 'nearest' });

  const body = { question, history: state.turns.slice(-limits.historyMessages) };
  const f = currentFilters();
  const filters = Object.fromEntries(Object.entries(f).filter(([, list]) => list.length));
  if (measureIds.length) filters.measure_ids = measureIds;
  if (Object.keys(filters).length) body.filters = filters;
  while (body.history.length && byteLength(body) > limits.maxBodyBytes) body.history = body.history.slice(2);

  try {
    const data = await api('/api/ask', body);
    state.turns.push({ role: 'user', content: question }, { role: 'assistant', content: data.answer.slice(0, limits.maxTurnChars) });
    state.lastQuestion = data.resolved_question || question;
    updateFilters();
    const article = renderAnswer(data, ++state.answers);
    pending.replaceWith(article);
    if (window.bouhanFeedback) window.bouhanFeedback.attach(article, data); // web/feedback.js
    bubble.scrollIntoView({ block: 'start' });
  } catch (e) {
    pending.remove();
    bubble.remove();
    if (!input.value) input.value = question;
    showError(e.message);
  } finally {
    state.busy = false;
    $('send').disabled = false;
  }
}

function citeButton(prefix, number) {
  const cite = el('button', { type: 'button', class: 'cite', 'aria-controls': prefix + number },
    el('span', { class: 'sr-only', text: '出典' }), `[${number}]`);
  cite.addEventListener('click', () => revealCard(prefix + number));
  return cite;
}

// The lead as the server cut it (lead_spans): a span the server marked as citation n becomes a button to its
// source card; every other span is text, whatever it looks like (a typed 「[7]」 stays text).
function leadParagraph(data, prefix) {
  const spans = Array.isArray(data.lead_spans) ? data.lead_spans : [{ text: String(data.lead || '') }];
  const nodes = spans.map((s) => (Number.isInteger(s.citation) ? citeButton(prefix, s.citation) : String(s.text)));
  return el('p', { class: 'lead' }, ...nodes);
}

function renderGroups(groups, prefix) {
  const out = [];
  let section = '';
  for (const g of groups) {
    if (g.section && g.section !== section) {
      section = g.section;
      out.push(el('h3', { class: 'section-title', text: section }));
    }
    const items = g.items.map((it) => {
      const years = el('span', { class: 'item-years', text: `（${it.years_label}）` });
      return el('li', {}, el('span', { text: it.text }), years, statusBadge(it), citeButton(prefix, it.citation));
    });
    const dept = g.departments.length ? el('p', { class: 'dept', text: `担当：${g.departments.join('・')}` }) : null;
    out.push(el('section', { class: 'group' }, el('h3', { text: g.measure }), dept, el('ul', {}, ...items)));
  }
  return out;
}

function renderAnswer(data, n) {
  const prefix = `a${n}-c`;
  const root = el('article', { class: 'msg bot', 'aria-label': `回答${n}`, 'data-coverage': data.coverage });
  root.append(leadParagraph(data, prefix));
  if (data.choices && data.choices.length) {
    const buttons = data.choices.map((c) => el('button', {
      type: 'button', class: 'chip choice', text: c.label, onclick: () => ask(c.question, [c.measure_id]),
    }));
    root.append(el('div', { class: 'choices', role: 'group', 'aria-label': `回答${n}の選択肢` }, ...buttons));
  }
  root.append(...renderGroups(data.groups, prefix));
  if (data.related && data.related.length) {
    const title = el('h3', { class: 'related-title', text: data.related_title });
    root.append(el('section', { class: 'related', 'aria-label': `回答${n}：${data.related_title}` }, title,
      ...renderGroups(data.related, prefix)));
  }
  const figures = charts(data.series, data.available_years || []);
  if (figures) root.append(figures);
  if (data.notes.length) root.append(el('div', { class: 'notes' }, ...data.notes.map((t) => el('p', { text: t }))));
  if (data.contact) {
    const contact = el('p', { class: 'contact', text: data.contact.sentence });
    if (data.contact.url) contact.append(' ', el('a', { href: data.contact.url, rel: 'noopener', text: data.contact.url }));
    root.append(contact);
  }
  if (data.suggestions.length) root.append(suggestionList(data.suggestions, n));
  if (data.citations.length) {
    const title = el('h3', { class: 'sources-title', text: `出典（${data.citations.length}件）` });
    const cards = data.citations.map((c) => sourceCard(c, prefix));
    root.append(el('section', { class: 'sources', 'aria-label': `回答${n}の出典` }, title, ...cards));
  }
  return root;
}

// Next questions as buttons (a timeline as a link), in a labelled group a screen reader announces.
// Each answer's landmarks carry its number: axe-core's landmark-unique rule wants distinct names.
function suggestionList(suggestions, n) {
  const title = el('h3', { class: 'suggestions-title', text: '次の質問の例' });
  const chips = suggestions.map((s) => (s.kind === 'timeline'
    ? el('a', { class: 'chip', href: `#/measures/${encodeURIComponent(s.measure_id)}`, text: s.label })
    : el('button', {
      type: 'button', class: 'chip', text: s.label,
      // A suggestion about one measure (who runs it) is asked within it, as a choice is.
      onclick: () => ask(s.question, s.measure_id ? [s.measure_id] : []),
    })));
  return el('nav', { class: 'suggestions', 'aria-label': `回答${n}の次の質問の例` }, title, el('div', { class: 'chips' }, ...chips));
}

function sourceCard(c, prefix) {
  const row = (term, ...value) => [el('dt', { text: term }), el('dd', {}, ...value)];
  const years = [el('span', { class: 'card-year', text: c.fiscal_year_label }), statusBadge(c)];
  if (c.fiscal_years.length > 1) years.push(el('span', { class: 'card-years', text: `（${c.years_label}に記載）` }));
  const sources = [el('code', { text: c.source.label })];
  if (c.occurrences.length > 1) {
    const same = c.occurrences.every((o) => o.source.label === c.source.label);
    const each = c.occurrences.map(
      (o) => `${shortYear(o.fiscal_year_label)}（${o.status}）${same ? '' : ` ${o.source.label}`}`,
    );
    sources.push(el('span', { class: 'occurrences', text: `記載された年度：${each.join('、')}` }));
  }
  const link = el('a', {
    class: 'button-link',
    href: `#/measures/${encodeURIComponent(c.measure_id)}`,
    text: 'この施策の経年変化を見る',
    onclick: (e) => (state.returnFocus = e.currentTarget),
  });
  const summary = el('summary', {}, el('span', { class: 'num', text: `[${c.number}]` }),
    el('span', { class: 'sum-year', text: shortYear(c.fiscal_year_label) }), el('span', { class: 'sum-text', text: c.text }));
  const facts = el('dl', {},
    ...row('施策', el('span', { class: 'card-measure', text: c.measure })),
    ...row('担当課', el('span', { class: 'card-dept', text: c.department })),
    ...row('年度', ...years), ...row('分野', c.section), ...row('出典', ...sources));
  if (c.text_verbatim && c.text_verbatim !== c.text) {
    facts.append(...row('原文', el('span', { class: 'card-verbatim', text: c.text_verbatim }),
      el('span', { class: 'card-note', text: '（報告書の誤字を訂正して表示しています）' })));
  }
  const body = el('div', { class: 'card-body' }, el('blockquote', { class: 'quote', text: c.text }), facts, link);
  return el('details', { class: 'card', id: prefix + c.number }, summary, body);
}

function revealCard(id) {
  const card = $(id);
  if (!card) return;
  card.open = true;
  card.classList.remove('flash');
  void card.offsetWidth; // restart the highlight
  card.classList.add('flash');
  const summary = card.querySelector('summary');
  summary.focus({ preventScroll: true });
  card.scrollIntoView({ block: 'nearest' });
}
