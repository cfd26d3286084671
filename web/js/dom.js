// 防犯施策アシスタント — small DOM helpers. Plain ES2020 modules, no framework.
// Everything that comes from the reports or from the user is put into the page as text (textContent, text
// nodes, setAttribute), never parsed as HTML.

export const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';

export function el(tag, attrs = {}, ...children) {
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

export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export const shortYear = (label) => String(label).split('（')[0]; // 令和5年度（2023年度） → 令和5年度
export const formatNumber = (v) => Number(v).toLocaleString('ja-JP');
export const byteLength = (value) => new TextEncoder().encode(JSON.stringify(value)).length;

export function badge(kind, text) {
  return el('span', { class: `badge badge-${kind}`, text });
}

// A record's status by its code (/api: status_code), shown with the server's label (status).
export function statusBadge(record) {
  if (record.status_code === 'planned') return badge('plan', record.status);
  if (record.status_code === 'current') return badge('current', record.status);
  return null;
}
