// 防犯施策アシスタント — talking to the server. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

import { $ } from './dom.js';
import { state } from './state.js';

const NETWORK_ERROR = '通信に失敗しました。ネットワークの接続を確認して、もう一度お試しください。';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(path, body) {
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

export function showError(message) {
  const box = state.view === 'chat' ? $('alert') : $('page-alert');
  box.textContent = message;
  box.hidden = false;
}

export function clearError() {
  for (const box of [$('alert'), $('page-alert')]) {
    box.textContent = '';
    box.hidden = true;
  }
}
