// 防犯施策アシスタント — the chat page. Plain ES2020, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent,
// text nodes, setAttribute), never parsed as HTML.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  // The last turns the server reads (question + answer each) and the length of one: /api/options `limits`.
  let historyMessages = 20;
  let maxTurnChars = 5000;
  // The server refuses bodies over limits.max_body_bytes (/api/options); history is trimmed to stay under it,
  // with room for the JSON around the turns. Until the options arrive, the default limit's value.
  let maxBodyBytes = 60000;
  const NETWORK_ERROR = '通信に失敗しました。ネットワークの接続を確認して、もう一度お試しください。';
  const state = {
    turns: [], // {role, content}, oldest first
    busy: false,
    answers: 0,
    lastQuestion: '',
    yearLabels: new Map(),
    measures: null,
    chatScroll: 0,
    returnFocus: null,
    view: 'chat',
    charts: 0,
    loads: 0,
  };

  // ---- small DOM helpers --------------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c); // strings → text nodes
    return node;
  }

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const shortYear = (label) => String(label).split('（')[0]; // 令和5年度（2023年度） → 令和5年度
  const formatNumber = (v) => Number(v).toLocaleString('ja-JP');
  const byteLength = (value) => new TextEncoder().encode(JSON.stringify(value)).length;

  function badge(kind, text) {
    return el('span', { class: `badge badge-${kind}`, text });
  }

  function statusBadge(status) {
    if (status === '予定') return badge('plan', '予定');
    if (status === '実施中') return badge('current', '実施中');
    return null;
  }

  // 平成29年度… → 「平成29〜30年度、令和4〜6年度」: consecutive years of one era become a range.
  function yearsRange(years) {
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

  // ---- API ----------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, body) {
    const init = { headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch {
      throw new ApiError(NETWORK_ERROR, 0);
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok || data === null) {
      const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : null;
      throw new ApiError(message || `サーバーから予期しない応答がありました（HTTP ${res.status}）。`, res.status);
    }
    return data;
  }

  function showError(message) {
    const box = state.view === 'chat' ? $('alert') : $('page-alert');
    box.textContent = message;
    box.hidden = false;
  }

  function clearError() {
    for (const box of [$('alert'), $('page-alert')]) {
      box.textContent = '';
      box.hidden = true;
    }
  }

  // ---- options, filters and export links ----------------------------------------------------------

  async function loadOptions(attempt = 0) {
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
      maxBodyBytes = options.limits.max_body_bytes - 4096;
      historyMessages = 2 * options.limits.max_history_turns;
      maxTurnChars = options.limits.max_turn_chars;
    }
    for (const y of options.years) state.yearLabels.set(y.fiscal_year, y.label);
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

  function currentFilters() {
    const values = (id) => [...$(id).querySelectorAll('input:checked')].map((i) => i.value);
    return {
      years: values('f-years').map(Number),
      departments: values('f-departments'),
      sections: values('f-sections').map(Number),
    };
  }

  function updateFilters() {
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

  // ---- asking -------------------------------------------------------------------------------------

  async function ask(raw) {
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

    const body = { question, history: state.turns.slice(-historyMessages) };
    const f = currentFilters();
    const filters = Object.fromEntries(Object.entries(f).filter(([, list]) => list.length));
    if (Object.keys(filters).length) body.filters = filters;
    while (body.history.length && byteLength(body) > maxBodyBytes) body.history = body.history.slice(2);

    try {
      const data = await api('/api/ask', body);
      state.turns.push({ role: 'user', content: question }, { role: 'assistant', content: data.answer.slice(0, maxTurnChars) });
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

  // The lead names its figures with [n] markers: each becomes a button to its source card.
  function leadParagraph(text, prefix) {
    const parts = String(text).split(/\[(\d+)\]/);
    const nodes = parts.map((part, i) => (i % 2 ? citeButton(prefix, Number(part)) : part));
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
        return el('li', {}, el('span', { text: it.text }), years, statusBadge(it.status), citeButton(prefix, it.citation));
      });
      const dept = g.departments.length ? el('p', { class: 'dept', text: `担当：${g.departments.join('・')}` }) : null;
      out.push(el('section', { class: 'group' }, el('h3', { text: g.measure }), dept, el('ul', {}, ...items)));
    }
    return out;
  }

  function renderAnswer(data, n) {
    const prefix = `a${n}-c`;
    const root = el('article', { class: 'msg bot', 'aria-label': `回答${n}`, 'data-coverage': data.coverage });
    root.append(leadParagraph(data.lead, prefix), ...renderGroups(data.groups, prefix));
    if (data.related && data.related.length) {
      const title = el('h3', { class: 'related-title', text: data.related_title });
      root.append(el('section', { class: 'related', 'aria-label': data.related_title }, title,
        ...renderGroups(data.related, prefix)));
    }
    const figures = charts(data.series, data.available_years || []);
    if (figures) root.append(figures);
    if (data.notes.length) root.append(el('div', { class: 'notes' }, ...data.notes.map((t) => el('p', { text: t }))));
    if (data.suggestions.length) {
      const chips = data.suggestions.map((q) => el('button', { type: 'button', class: 'chip', text: q, onclick: () => ask(q) }));
      root.append(el('div', { class: 'suggestions' }, el('div', { class: 'chips' }, ...chips)));
    }
    if (data.citations.length) {
      const title = el('h3', { class: 'sources-title', text: `出典（${data.citations.length}件）` });
      const cards = data.citations.map((c) => sourceCard(c, prefix));
      root.append(el('section', { class: 'sources', 'aria-label': '出典' }, title, ...cards));
    }
    return root;
  }

  function sourceCard(c, prefix) {
    const row = (term, ...value) => [el('dt', { text: term }), el('dd', {}, ...value)];
    const years = [el('span', { class: 'card-year', text: c.fiscal_year_label }), statusBadge(c.status)];
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

  // ---- measures -----------------------------------------------------------------------------------

  async function showMeasureList() {
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

  async function showMeasure(id) {
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
        el('li', {}, el('span', { text: b.text }), statusBadge(b.status), b.new ? badge('new', '新規') : null),
      );
      col.append(el('ul', {}, ...items));
    }
    return col;
  }

  // 2019 → 令和元年度: a label for any year, also for the gap years no report covers.
  function eraYear(fy) {
    if (state.yearLabels.has(fy)) return shortYear(state.yearLabels.get(fy));
    if (fy >= 2019) return fy === 2019 ? '令和元年度' : `令和${fy - 2018}年度`;
    return fy >= 1989 ? `平成${fy - 1988}年度` : `${fy}年度`;
  }

  // A small line chart: every year from the first to the last point gets a slot on x (a year with no report
  // stays empty and the line is dashed across it); values on y, each point labelled with its figure.
  function chart(series, reportedYears) {
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

  function charts(seriesList, reportedYears) {
    const figures = (seriesList || []).map((s) => chart(s, reportedYears)).filter(Boolean);
    if (!figures.length) return null;
    const box = el('div', { class: 'charts' }, ...figures.slice(0, 3));
    if (figures.length <= 3) return box;
    const more = el('details', { class: 'more-charts' }, el('summary', { text: `ほかの数値の推移（${figures.length - 3}件）` }));
    more.append(el('div', { class: 'charts' }, ...figures.slice(3)));
    return el('div', {}, box, more);
  }

  function markNav(view) {
    for (const [id, on] of [['nav-chat', view === 'chat'], ['nav-measures', view !== 'chat']]) {
      if (on) $(id).setAttribute('aria-current', 'page');
      else $(id).removeAttribute('aria-current');
    }
  }

  // ---- routing: #/ (chat), #/measures, #/measures/<id> ----------------------------------------------

  function route() {
    const hash = location.hash;
    const match = /^#\/measures\/(.+)$/.exec(hash);
    const view = match ? 'measure' : hash === '#/measures' ? 'measures' : 'chat';
    const leaving = state.view;
    if (leaving === 'chat' && view !== 'chat') state.chatScroll = window.scrollY;
    if (view === 'measure') {
      const fromList = leaving === 'measures' || (leaving === 'measure' && state.backTo === '#/measures');
      state.backTo = fromList ? '#/measures' : '#/';
      $('back').textContent = fromList ? '← 施策一覧に戻る' : '← チャットに戻る';
    }
    state.view = view;
    clearError();
    for (const v of ['chat', 'measures', 'measure']) $(`view-${v}`).hidden = v !== view;
    document.body.classList.toggle('wide', view === 'measure');
    markNav(view);
    if (view === 'chat') {
      if (leaving !== 'chat') {
        window.scrollTo(0, state.chatScroll);
        const target = state.returnFocus && state.returnFocus.isConnected ? state.returnFocus : $('question');
        target.focus({ preventScroll: true });
      }
      return;
    }
    window.scrollTo(0, 0);
    const heading = view === 'measure' ? $('measure-heading') : $('measures-heading');
    heading.focus({ preventScroll: true });
    if (view === 'measure') showMeasure(decodeURIComponent(match[1]));
    else showMeasureList();
  }

  // ---- wiring -------------------------------------------------------------------------------------

  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    ask($('question').value);
  });
  $('question').addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a newline; Enter that confirms an IME conversion does nothing here.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      $('ask').requestSubmit();
    }
  });
  $('staff').addEventListener('change', updateFilters);
  $('f-clear').addEventListener('click', () => {
    for (const i of $('staff').querySelectorAll('input:checked')) i.checked = false;
    updateFilters();
  });
  $('reset').addEventListener('click', () => {
    state.turns = [];
    state.lastQuestion = '';
    $('log').replaceChildren();
    clearError();
    updateFilters();
    $('question').focus();
  });
  $('back').addEventListener('click', () => (location.hash = state.backTo || '#/'));
  window.addEventListener('hashchange', route);
  $('skip').addEventListener('click', (e) => {
    e.preventDefault();
    state.returnFocus = $('question');
    if (state.view !== 'chat') location.hash = '#/';
    else $('question').focus();
  });
  if (location.hash.startsWith('#/measures')) route();
  else markNav('chat');
  loadOptions();
})();
