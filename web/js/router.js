// 防犯施策アシスタント — routing (#/, #/measures, #/measures/<id>) and the page's wiring; the entry module. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

import { clearError } from './api.js';
import { ask, loadOptions, updateFilters } from './chat.js';
import { $ } from './dom.js';
import { showMeasure, showMeasureList } from './measures.js';
import { state } from './state.js';

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
