// The staff review page. Asks for the staff token and sends it as `Authorization: Bearer` on every
// /api/staff call; keeps it in sessionStorage at most (gone when the tab closes), never in a cookie.
// Questions, comments and notes are user text: they go into the page as text (textContent), never as HTML.
import { $, el } from '/static/js/dom.js';

(() => {
  const TOKEN_KEY = 'bouhan-staff-token';
  const PAGE = 50;
  const RATING = { helpful: 'はい', not_helpful: 'いいえ' };
  const COVERAGE = { direct: '回答あり', related: '関連する取組みのみ', none: '該当なし', out_of_scope: '対象外' };
  const state = { token: sessionStorage.getItem(TOKEN_KEY) || '', names: new Map(), lists: {} };


  function showError(message) {
    $('alert').textContent = message;
    $('alert').hidden = !message;
  }

  class AuthError extends Error {}

  async function call(path, init = {}) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${state.token}`, ...(init.headers || {}) };
    let res;
    try {
      res = await fetch(path, { ...init, headers, cache: 'no-store' });
    } catch {
      throw new Error('通信に失敗しました。ネットワークの接続を確認してください。');
    }
    if (res.status === 401) throw new AuthError('トークンが正しくありません。もう一度入力してください。');
    if (!res.ok) {
      const data = await res.json().catch(() => null);
      const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : null;
      throw new Error(message || `サーバーから予期しない応答がありました（HTTP ${res.status}）。`);
    }
    return res;
  }

  const getJson = async (path) => (await call(path)).json();

  function fail(e) {
    if (e instanceof AuthError) logout(e.message);
    else showError(e.message);
  }

  // ---- token ----------------------------------------------------------------------------------------

  function logout(message = '') {
    state.token = '';
    sessionStorage.removeItem(TOKEN_KEY);
    $('main').hidden = true;
    $('login').hidden = false;
    showError(message);
    $('token').value = '';
    $('token').focus();
  }

  async function login(token) {
    state.token = token;
    try {
      await getJson('/api/staff/stats');
    } catch (e) {
      fail(e);
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    showError('');
    $('login').hidden = true;
    $('main').hidden = false;
    await loadMeasures();
    await refresh();
  }

  // ---- filters ----------------------------------------------------------------------------------------

  function filterParams(extra = {}) {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData($('filters'))) if (v) p.set(k, String(v));
    for (const [k, v] of Object.entries(extra)) p.set(k, String(v));
    return p;
  }

  async function loadMeasures() {
    // the public measure list names every measure, also those without feedback yet
    try {
      const res = await fetch('/api/measures', { headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      const data = await res.json();
      const select = $('f-measure');
      const keep = select.value;
      select.replaceChildren(el('option', { value: '', text: 'すべて' }));
      for (const s of data.sections) {
        const group = el('optgroup', { label: `${s.number} ${s.title}` });
        for (const m of s.measures) {
          state.names.set(m.measure_id, m.name);
          group.append(el('option', { value: m.measure_id, text: m.name }));
        }
        select.append(group);
      }
      select.value = keep;
    } catch {
      // the filter keeps only すべて; the rest of the page works
    }
  }

  // ---- counts -----------------------------------------------------------------------------------------

  function countRows(table, rows) {
    table.tBodies[0].replaceChildren(
      ...rows.map(([label, n]) => el('tr', {}, el('td', { text: label }), el('td', { class: 'n', text: String(n) }))),
    );
  }

  async function loadStats() {
    const s = await getJson(`/api/staff/stats?${filterParams()}`);
    $('totals').textContent =
      `${s.total}件（はい ${s.by_rating.helpful}件・いいえ ${s.by_rating.not_helpful}件）、` +
      `回答できなかった質問 ${s.unanswered}件、対応済み ${s.handled}件`;
    countRows($('by-coverage'), Object.entries(COVERAGE).map(([k, label]) => [label, s.by_coverage[k] || 0]));
    countRows(
      $('by-measure'),
      s.by_measure.length
        ? s.by_measure.map((m) => [m.measure || state.names.get(m.measure_id) || m.measure_id, m.count])
        : [['（なし）', 0]],
    );
  }

  // ---- lists ------------------------------------------------------------------------------------------

  function itemNode(item) {
    const tags = [
      el('time', { datetime: item.created_at, text: item.created_at.replace('T', ' ').slice(0, 16) }),
      el('span', { class: item.rating === 'not_helpful' ? 'tag bad' : 'tag', text: `評価：${RATING[item.rating]}` }),
      el('span', { class: item.coverage === 'direct' ? 'tag' : 'tag bad', text: COVERAGE[item.coverage] }),
      el('span', { class: item.handled ? 'tag done' : 'tag', text: item.handled ? '対応済み' : '未対応' }),
    ];
    const node = el('li', { class: 'item', 'data-id': item.id }, el('div', { class: 'meta' }, ...tags));
    node.append(el('p', { class: 'question' }, el('strong', { text: '質問：' }), el('span', { text: item.question })));
    if (item.resolved_question && item.resolved_question !== item.question) {
      node.append(el('p', { class: 'resolved', text: `検索した質問：${item.resolved_question}` }));
    }
    if (item.comment) node.append(el('p', { class: 'comment', text: item.comment }));
    if (item.measure_ids.length) {
      const names = item.measure_ids.map((id) => state.names.get(id) || id);
      node.append(el('p', { class: 'measures', text: `出典の施策：${names.join('、')}` }));
    }
    node.append(handleForm(item));
    return node;
  }

  function handleForm(item) {
    const note = el('input', { class: 'note', type: 'text', maxlength: 1000, 'aria-label': '対応のメモ', placeholder: '対応のメモ（例：類義語を追加）' });
    note.value = item.handled_note || '';
    const button = el('button', { type: 'submit', class: 'secondary', text: item.handled ? '未対応に戻す' : '対応済みにする' });
    const form = el('form', { class: 'row handle' }, note, button);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      try {
        await call(`/api/staff/feedback/${item.id}/handled`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ handled: !item.handled, note: note.value }),
        });
        await refresh();
      } catch (err) {
        button.disabled = false;
        fail(err);
      }
    });
    return form;
  }

  async function loadList(key, extra, append = false) {
    const list = state.lists[key] || (state.lists[key] = { offset: 0 });
    list.offset = append ? list.offset + PAGE : 0;
    const page = await getJson(`/api/staff/feedback?${filterParams({ ...extra, limit: PAGE, offset: list.offset })}`);
    const box = $(key);
    const nodes = page.items.map(itemNode);
    if (append) box.append(...nodes);
    else box.replaceChildren(...(nodes.length ? nodes : [el('li', { class: 'item empty', text: '該当するご意見はありません。' })]));
    $(`${key}-more`).hidden = list.offset + page.items.length >= page.total;
  }

  async function refresh() {
    try {
      await Promise.all([loadStats(), loadList('unanswered', { unanswered: true }), loadList('all', {})]);
      showError('');
    } catch (e) {
      fail(e);
    }
  }

  // ---- export -----------------------------------------------------------------------------------------

  async function download(format) {
    try {
      const res = await call(`/api/staff/export?${filterParams({ format })}`);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
      const a = el('a', { href: url, download: `feedback-${stamp}.${format}` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      fail(e);
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------------

  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (token) login(token);
  });
  $('logout').addEventListener('click', () => logout(''));
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    refresh();
  });
  $('filters').addEventListener('change', refresh);
  $('export-csv').addEventListener('click', () => download('csv'));
  $('export-json').addEventListener('click', () => download('json'));
  $('unanswered-more').addEventListener('click', () => loadList('unanswered', { unanswered: true }, true).catch(fail));
  $('all-more').addEventListener('click', () => loadList('all', {}, true).catch(fail));
  if (state.token) login(state.token);
  else logout('');
})();
