// 「この回答は役に立ちましたか？」 under every answer. Loaded beside the page's modules; js/chat.js calls
// window.bouhanFeedback.attach(article, data) after it renders an answer; nothing else there knows about it.
// Nothing is sent until the user presses a button; what is sent is listed in the notice beside the buttons.
// Whether the feature is on, the comment limit and the notice come from /api/options (ASSISTANT_FEEDBACK=off
// turns the buttons off). Text from the server or the user is put into the page as text only.
import { el } from './js/dom.js';

(() => {
  const MAX_IDS = 50;
  let options = null; // a promise of the feedback part of /api/options

  function loadOptions() {
    if (!options) {
      options = fetch('/api/options', { headers: { Accept: 'application/json' } })
        .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
        .then((data) => data.feedback || { enabled: false })
        .catch(() => {
          options = null; // try again with the next answer
          return { enabled: false };
        });
    }
    return options;
  }


  function payload(data, rating, comment) {
    const citations = data.citations || [];
    const bullets = [...new Set(citations.flatMap((c) => c.bullet_ids || []))].slice(0, MAX_IDS);
    const measures = [...new Set(citations.map((c) => c.measure_id).filter(Boolean))].slice(0, MAX_IDS);
    return {
      question: data.question,
      resolved_question: data.resolved_question || data.question,
      coverage: data.coverage,
      rating,
      comment,
      bullet_ids: bullets,
      measure_ids: measures,
    };
  }

  async function send(body) {
    let res;
    try {
      res = await fetch('/api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      throw new Error('通信に失敗しました。ネットワークの接続を確認して、もう一度お試しください。');
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : null;
      throw new Error(message || `送信できませんでした（HTTP ${res.status}）。`);
    }
    return data;
  }

  function box(data, opts, n) {
    const id = `fb${n}`;
    const yes = el('button', { type: 'button', class: 'fb-yes', text: 'はい' });
    const no = el('button', { type: 'button', class: 'fb-no', 'aria-expanded': 'false', 'aria-controls': `${id}-form`, text: 'いいえ' });
    const status = el('p', { class: 'fb-status', role: 'status' });
    const limit = opts.max_comment_chars || 500;
    const text = el('textarea', { id: `${id}-comment`, rows: 3, maxlength: limit, class: 'fb-text' });
    const count = el('span', { class: 'fb-count', 'aria-live': 'polite', text: `0／${limit}文字` });
    const submit = el('button', { type: 'submit', class: 'fb-send', text: '送信' });
    const form = el('form', { id: `${id}-form`, class: 'fb-form', hidden: true },
      el('label', { for: `${id}-comment`, text: `よろしければ、足りなかった点をお書きください（任意、${limit}文字まで）` }),
      text, el('div', { class: 'fb-row' }, submit, count));
    const root = el('section', { class: 'feedback', 'aria-label': `回答${n}の評価` },
      el('div', { class: 'fb-ask' }, el('span', { class: 'fb-q', text: 'この回答は役に立ちましたか？' }), yes, no,
        el('span', { class: 'fb-notice', text: opts.notice || '' })),
      form, status);

    const done = (message) => {
      yes.disabled = no.disabled = true;
      form.hidden = true;
      status.className = 'fb-status';
      status.textContent = message;
    };
    const submitRating = async (rating, comment) => {
      yes.disabled = no.disabled = submit.disabled = true;
      try {
        const ack = await send(payload(data, rating, comment));
        done(ack.message || 'ご意見ありがとうございました。');
      } catch (e) {
        yes.disabled = no.disabled = submit.disabled = false;
        status.className = 'fb-status fb-error';
        status.textContent = e.message;
      }
    };
    yes.addEventListener('click', () => submitRating('helpful', ''));
    no.addEventListener('click', () => {
      // いいえ opens the comment first; the rating is sent with 送信 (the comment may stay empty).
      form.hidden = false;
      no.setAttribute('aria-expanded', 'true');
      no.classList.add('fb-chosen');
      text.focus();
    });
    text.addEventListener('input', () => (count.textContent = `${text.value.length}／${limit}文字`));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitRating('not_helpful', text.value.slice(0, limit));
    });
    return root;
  }

  let boxes = 0;
  async function attach(article, data) {
    const opts = await loadOptions();
    const on = Boolean(opts.enabled && data && data.question);
    article.dataset.feedback = on ? 'on' : 'off'; // says the decision was made (tests wait for it)
    if (on) article.append(box(data, opts, ++boxes));
  }

  window.bouhanFeedback = { attach };
})();
