/* The web chat: talks to the JSON API and shows the engine's replies as text (never as HTML). */
(function () {
  'use strict';

  // The page's own words; everything else the user reads comes from the engine's replies.
  const CHROME = {
    zh: {
      html: 'zh-CN', title: '西青区人力资源服务产业园政策助手', placeholder: '输入您的问题或回答',
      label: '输入您的问题或回答', send: '发送', forget: '清除我的记录', other: 'English', otherLang: 'en',
      confirm: '确定清除您在本页的全部对话记录吗？清除后无法恢复。', log: '对话记录',
      you: '您说：', bot: '助手：', staff: '工作人员：', progress: '自测进度', download: '下载 Word 文档', file: '下载文件',
      full: '查看文字版', item: '条款与项目', amount: '金额', total: '合计',
      institution: '机构可得', personal: '个人奖励（第六条）', chart: '各条款金额',
      upTo: '最高', service: '服务事项', to: ' ～ ', offline: '网络连接失败，请稍后重试。', retry: '重试'
    },
    en: {
      html: 'en', title: 'Xiqing HR Park policy assistant', placeholder: 'Type a question or an answer',
      label: 'Your question or answer', send: 'Send', forget: 'Delete my data', other: '中文', otherLang: 'zh',
      confirm: 'Delete the whole conversation on this page? This cannot be undone.', log: 'Conversation',
      you: 'You said:', bot: 'Assistant:', staff: 'Staff:', progress: 'Check progress', download: 'Download Word document', file: 'Download',
      full: 'Show as text', item: 'Article and item', amount: 'Amount', total: 'Total',
      institution: 'For the institution', personal: 'Personal award (Article 6)', chart: 'Amounts per article',
      upTo: 'up to ', service: 'service', to: ' to ', offline: 'No connection. Please try again shortly.', retry: 'Try again'
    }
  };
  const POLL_MS = 5000;

  const $ = (id) => document.getElementById(id);
  const log = $('log'), form = $('bar'), input = $('text'), sendButton = $('send');
  let lang = 'zh', csrf = null, busy = false, lastEvent = null, polling = false;
  const w = (key) => CHROME[lang][key];

  function applyLang(next) {
    if (next !== 'zh' && next !== 'en') return;
    lang = next;
    document.documentElement.lang = w('html');
    document.title = w('title');
    $('title').textContent = w('title');
    input.placeholder = w('placeholder');
    $('text-label').textContent = w('label');
    sendButton.textContent = w('send');
    $('forget').textContent = w('forget');
    const other = $('lang');
    other.textContent = w('other');
    other.lang = w('otherLang') === 'en' ? 'en' : 'zh-CN';
    log.setAttribute('aria-label', w('log'));
  }

  // ---- building blocks (text only: textContent, never innerHTML) ----------------------------------

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, String(attrs[k])));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  const DIGITS = '零一二三四五六七八九';
  function articleName(n) {
    if (lang === 'en') return 'Article ' + n;
    if (!(n > 0 && n < 100)) return '第' + n + '条';
    const tens = Math.floor(n / 10), ones = n % 10;
    const cn = n < 10 ? DIGITS[n] : (tens === 1 ? '' : DIGITS[tens]) + '十' + (ones ? DIGITS[ones] : '');
    return '第' + cn + '条';
  }

  // Money is exact: yuan as 万元 (Chinese) or "RMB 1,234" (English), as rules/money.py shows it.
  function money(yuan) {
    const y = Math.round(Number(yuan) || 0), sign = y < 0 ? '-' : '', a = Math.abs(y);
    if (lang === 'en') return sign + 'RMB ' + String(a).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const units = Math.floor(a / 10000), rest = a % 10000;
    const frac = rest ? '.' + String(rest).padStart(4, '0').replace(/0+$/, '') : '';
    return sign + units + frac + '万元';
  }

  function range(lo, hi, upTo) {
    return rangeParts(lo, hi, upTo).join('');
  }

  function rangeParts(lo, hi, upTo) {
    if (lo === hi) return [money(hi)];
    if (upTo || lo === 0) return [w('upTo') + money(hi)];
    return [money(lo), w('to'), money(hi)];
  }

  // An amount cell: each figure kept on one line, the range may wrap between them.
  function amountCell(parts) {
    const td = el('td', 'amount');
    parts.forEach((part, i) => td.appendChild(i % 2 ? document.createTextNode(part) : el('span', 'num', part)));
    return td;
  }

  // ---- messages -------------------------------------------------------------------------------------

  function addBubble(from, build) {
    const box = el('div', 'msg ' + from);
    box.appendChild(el('span', 'sr-only', w(from === 'user' ? 'you' : from)));
    build(box);
    log.appendChild(box);
    return box;
  }

  function addText(from, text) {
    return addBubble(from, (box) => box.appendChild(el('div', 'text', text)));
  }

  function progressOf(reply) {
    const p = reply.progress;
    if (Array.isArray(p) && p.length === 2 && p[1] > 0) return [Number(p[0]), Number(p[1])];
    if (reply.kind !== 'question') return null;
    const m = /^\s*[（(](\d+)\/(\d+)[）)]/.exec(reply.text || '');
    return m ? [Number(m[1]), Number(m[2])] : null;
  }

  function buttonRows(buttons) {
    const rows = [];
    (Array.isArray(buttons) ? buttons : []).forEach((b, i) => {
      // A list of rows (each a list) is accepted too.
      const group = Array.isArray(b) ? b.map((x) => Object.assign({ row: i }, x)) : [b];
      group.forEach((x) => {
        if (!x || typeof x.action !== 'string') return;
        const r = Number.isInteger(x.row) ? x.row : 0;
        (rows[r] = rows[r] || []).push(x);
      });
    });
    return rows.filter(Boolean);
  }

  // Earlier interview steps keep their text but lose their buttons: only the latest step is live.
  function retireSteps() {
    Array.prototype.forEach.call(log.querySelectorAll('.msg .buttons.step'), (group) => group.remove());
  }

  function addReply(reply) {
    if (!reply || typeof reply !== 'object') return null;
    retireSteps();
    return addBubble('bot', (box) => {
      if (reply.kind) box.classList.add('kind-' + String(reply.kind).replace(/[^a-z_-]/gi, ''));
      const p = progressOf(reply);
      if (p) {
        const wrap = el('div', 'progress');
        const bar = el('progress');
        bar.max = p[1];
        bar.value = Math.min(p[0], p[1]);
        bar.setAttribute('aria-label', w('progress'));
        wrap.appendChild(bar);
        wrap.appendChild(el('span', 'step', p[0] + '/' + p[1]));
        box.appendChild(wrap);
      }
      let text = String(reply.text || '');
      // The bar shows the step: drop the same "（3/9）" from the start of the text.
      if (p) text = text.replace(new RegExp('^\\s*[（(]' + p[0] + '/' + p[1] + '[）)]\\s*'), '');
      const est = reply.estimate;
      if (reply.kind === 'estimate' && est && typeof est === 'object' && Array.isArray(est.lines) &&
          est.lines.some((l) => l && typeof l === 'object')) {
        const cut = text.indexOf('\n\n');
        if (cut > 0) box.appendChild(el('div', 'text', text.slice(0, cut)));
        box.appendChild(estimateView(est));
        const details = el('details', 'full');
        details.appendChild(el('summary', null, w('full')));
        details.appendChild(el('div', 'text', cut > 0 ? text.slice(cut + 2) : text));
        box.appendChild(details);
      } else {
        box.appendChild(el('div', 'text', text));
      }
      const doc = reply.document;
      if (doc && typeof doc.url === 'string' && sameOrigin(doc.url)) {
        const word = /\.docx$/i.test(String(doc.filename || doc.url));
        const a = el('a', 'btn download', word ? w('download') : w('file') + (doc.filename ? ' ' + doc.filename : ''));
        a.href = doc.url;
        if (doc.filename) a.setAttribute('download', String(doc.filename));
        box.appendChild(a);
      }
      const rows = buttonRows(reply.buttons);
      if (rows.length) {
        const step = rows.every((row) => row.every((x) => /^(ans|ctl|edit):/.test(x.action)));
        const group = el('div', step ? 'buttons step' : 'buttons');
        rows.forEach((row) => {
          const line = el('div', 'row');
          row.forEach((b) => {
            const button = el('button', null, b.label);
            button.type = 'button';
            button.dataset.action = b.action;
            button.addEventListener('click', () => press(b.action, b.label));
            line.appendChild(button);
          });
          group.appendChild(line);
        });
        box.appendChild(group);
      }
    });
  }

  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
  }

  // ---- the estimate: table, subtotals, total, bar chart ------------------------------------------

  function num(v) { const n = Number(v); return Number.isFinite(n) ? n : 0; }

  function subtotals(est) {
    const out = [];
    const take = (key, v, label) => {
      if (v === null || v === undefined) return;
      const lo = typeof v === 'object' ? num(v.min !== undefined ? v.min : v.total_min) : num(v);
      const hi = typeof v === 'object' ? num(v.max !== undefined ? v.max : v.total_max) : num(v);
      const k = String(key || '').toLowerCase();
      const name = label || (typeof v === 'object' && (v.label || v.name)) ||
        (/person|manag|individual|talent|staff/.test(k) ? w('personal') : /inst|org|compan/.test(k) ? w('institution') : key);
      out.push({ label: String(name), lo: lo, hi: hi });
    };
    const s = est.subtotals;
    if (Array.isArray(s)) s.forEach((v) => take(v && (v.key || v.id), v));
    else if (s && typeof s === 'object') Object.keys(s).forEach((k) => take(k, s[k]));
    if (out.length) return out;
    // Not given: derive them as issue 9 defines them (article 6 is paid to the managers, outside the cap).
    const six = est.lines.filter((l) => num(l.clause) === 6);
    if (!six.length) return out;
    const pLo = six.reduce((t, l) => t + num(l.min), 0), pHi = six.reduce((t, l) => t + num(l.max), 0);
    take('institution', { min: num(est.total_min) - pLo, max: num(est.total_max) - pHi });
    take('personal', { min: pLo, max: pHi });
    return out;
  }

  function estimateView(est) {
    const view = el('div', 'estimate');
    const lines = est.lines.filter((l) => l && typeof l === 'object');
    if (!lines.length) return view;
    const table = el('table', 'lines');
    const head = el('thead'), hr = el('tr');
    [w('item'), w('amount')].forEach((h) => { const th = el('th', null, h); th.scope = 'col'; hr.appendChild(th); });
    head.appendChild(hr);
    table.appendChild(head);
    const body = el('tbody');
    lines.forEach((l) => {
      const tr = el('tr', 'line');
      const item = el('th', 'item');
      item.scope = 'row';
      item.appendChild(el('span', 'clause', articleName(num(l.clause))));
      item.appendChild(el('span', null, l.item));
      tr.appendChild(item);
      tr.appendChild(amountCell(l.kind === 'service' ? [w('service')] : rangeParts(num(l.min), num(l.max), l.kind === 'up_to')));
      body.appendChild(tr);
      if (l.basis) {
        const br = el('tr', 'basis'), td = el('td', null, l.basis);
        td.colSpan = 2;
        br.appendChild(td);
        body.appendChild(br);
      }
    });
    table.appendChild(body);
    const foot = el('tfoot');
    const sumRow = (label, lo, hi, cls) => {
      const tr = el('tr', cls), th = el('th', null, label);
      th.scope = 'row';
      tr.appendChild(th);
      tr.appendChild(amountCell(rangeParts(lo, hi, false)));
      foot.appendChild(tr);
    };
    subtotals(est).forEach((s) => sumRow(s.label, s.lo, s.hi, 'subtotal'));
    sumRow(w('total'), num(est.total_min), num(est.total_max), 'total');
    table.appendChild(foot);
    const scroller = el('div', 'table-wrap');
    scroller.appendChild(table);
    view.appendChild(scroller);
    const chart = chartView(lines);
    if (chart) view.appendChild(chart);
    return view;
  }

  function chartView(lines) {
    const per = [];
    lines.forEach((l) => {
      if (l.kind === 'service' || num(l.max) <= 0) return;
      let row = per.find((r) => r.clause === num(l.clause));
      if (!row) per.push(row = { clause: num(l.clause), lo: 0, hi: 0, upTo: false });
      row.lo += num(l.min);
      row.hi += num(l.max);
      row.upTo = row.upTo || l.kind === 'up_to';
    });
    if (!per.length) return null;
    const top = Math.max.apply(null, per.map((r) => r.hi)), width = 320, rowH = 34;
    const fig = el('figure', 'chart');
    fig.appendChild(el('figcaption', null, w('chart')));
    const pic = svg('svg', { viewBox: '0 0 ' + width + ' ' + (per.length * rowH), 'aria-hidden': 'true', focusable: 'false' });
    per.forEach((r, i) => {
      const y = i * rowH;
      pic.appendChild(svg('text', { x: 0, y: y + 13, class: 'label' }, articleName(r.clause)));
      pic.appendChild(svg('text', { x: width, y: y + 13, 'text-anchor': 'end', class: 'value' }, range(r.lo, r.hi, r.upTo)));
      pic.appendChild(svg('rect', { x: 0, y: y + 18, width: width, height: 10, rx: 2, class: 'track' }));
      pic.appendChild(svg('rect', { x: 0, y: y + 18, width: Math.max(1, width * r.hi / top), height: 10, rx: 2, class: 'bar-max' }));
      if (r.lo > 0) pic.appendChild(svg('rect', { x: 0, y: y + 18, width: Math.max(1, width * r.lo / top), height: 10, rx: 2, class: 'bar' }));
    });
    fig.appendChild(pic);
    return fig;
  }

  // ---- talking to the server -------------------------------------------------------------------------

  async function post(path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: headers, body: JSON.stringify(body || {}) });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = new Error((data && typeof data.error === 'string' && data.error) || w('offline'));
      err.status = res.status;
      throw err;
    }
    return data || {};
  }

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    log.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  function showError(err, retry) {
    const box = addText('bot', (err && err.message) || w('offline'));
    box.classList.add('kind-error');
    if (retry) {
      const line = el('div', 'row'), b = el('button', null, w('retry'));
      b.type = 'button';
      b.addEventListener('click', () => { line.remove(); retry(); });
      line.appendChild(b);
      box.appendChild(line);
    }
    return box;
  }

  // The conversation's language when the server does not say it: the engine writes its button
  // labels in the reply's language (the language switch itself aside).
  function langOfReplies(replies) {
    const labels = [];
    replies.forEach((r) => buttonRows(r && r.buttons).forEach((row) => row.forEach((x) => {
      if (!/^lang:/.test(x.action)) labels.push(String(x.label || ''));
    })));
    if (!labels.length) return null;
    return labels.some((l) => /[\u3400-\u9fff]/.test(l)) ? 'zh' : 'en';
  }

  function showReplies(data, chosen) {
    const replies = Array.isArray(data.replies) ? data.replies : [];
    const first = log.lastElementChild;
    applyLang(data.lang === 'zh' || data.lang === 'en' ? data.lang : chosen || langOfReplies(replies));
    replies.forEach(addReply);
    settle(first, replies[replies.length - 1]);
  }

  // After new replies: bring the first into view, and put the focus where the next step is taken.
  function settle(before, last) {
    const first = before ? before.nextElementSibling : log.firstElementChild;
    const end = log.lastElementChild;
    const span = first && end ? end.getBoundingClientRect().bottom - first.getBoundingClientRect().top : 0;
    if (span > window.innerHeight - form.offsetHeight - 16) first.scrollIntoView({ block: 'start' });
    else window.scrollTo(0, document.documentElement.scrollHeight);
    const box = log.lastElementChild;
    const answers = box ? box.querySelectorAll('button[data-action^="ans:"]') : [];
    const target = last && answers.length > 1 ? answers[0] : input;
    try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
  }

  async function exchange(path, body, chosen) {
    if (busy) return false;
    setBusy(true);
    try {
      let data;
      try {
        data = await post(path, body);
      } catch (err) {
        if (err.status !== 403) throw err;
        await session(false);           // the token or the session expired: renew it once
        data = await post(path, body);
      }
      showReplies(data, chosen);
      return true;
    } catch (err) {
      showError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function send(text) {
    if (busy || !text.trim()) return;
    addText('user', text);
    input.value = '';
    const lc = /^\/lang\s+(zh|en)\b/i.exec(text.trim());
    const ok = await exchange('api/message', { text: text }, lc ? lc[1].toLowerCase() : null);
    if (!ok && !input.value) input.value = text;   // never lose what the user typed
  }

  function press(action, label) {
    if (busy) return;
    addBubble('user', (box) => box.appendChild(el('div', 'text pressed', label)));
    const m = /^lang:(zh|en)$/.exec(action);
    exchange('api/press', { action: action }, m ? m[1] : null);
  }

  function restore(items) {
    (Array.isArray(items) ? items : []).forEach((it) => {
      if (!it || typeof it !== 'object') return;
      if (it.from === 'bot' && it.reply) addReply(it.reply);
      else if (it.from === 'user' || it.from === 'bot' || it.from === 'staff') addText(it.from, it.text || '');
    });
  }

  async function session(render) {
    const wanted = /[?&]lang=(zh|en)\b/.exec(location.search);
    const data = await post('api/session', wanted ? { lang: wanted[1] } : {});
    csrf = typeof data.csrf === 'string' ? data.csrf : null;
    if (data.lang === 'zh' || data.lang === 'en') applyLang(data.lang);
    if (render) {
      restore(data.transcript);
      const first = log.lastElementChild;
      fresh(data).forEach(addReply);
      settle(first, null);
      await primeEvents(data);
    } else if (Array.isArray(data.replies)) {
      data.replies.forEach(addReply);   // the old session was gone: a fresh one greets the user
    }
    return data;
  }

  // The welcome replies of a new session, unless the transcript already ends with them.
  function fresh(data) {
    const replies = Array.isArray(data.replies) ? data.replies : [];
    const said = (Array.isArray(data.transcript) ? data.transcript : []).filter((t) => t && t.from === 'bot')
      .slice(-replies.length).map((t) => (t.reply && t.reply.text) || t.text);
    const shown = replies.length > 0 && said.length === replies.length && replies.every((r, i) => r && r.text === said[i]);
    return shown ? [] : replies;
  }

  // ---- staff replies (help desk) -------------------------------------------------------------------

  async function fetchEvents(after) {
    const res = await fetch('api/events?after=' + encodeURIComponent(after), { credentials: 'same-origin' });
    if (!res.ok) return [];
    const data = await res.json();
    return Array.isArray(data.events) ? data.events.filter((e) => e && Number.isFinite(Number(e.id))) : [];
  }

  async function primeEvents(data) {
    const given = data.last_event;
    const items = Array.isArray(data.transcript) ? data.transcript.filter((t) => t && typeof t === 'object') : [];
    if (Number.isFinite(given)) { lastEvent = given; return; }
    if (items.every((t) => Number.isFinite(t.id))) {
      // Staff replies are items of the same log: the transcript shows every one up to its last id.
      lastEvent = items.reduce((m, t) => Math.max(m, t.id), 0);
      return;
    }
    // Without ids: show only the staff replies the transcript lacks.
    const seen = items.filter((t) => t.from === 'staff').map((t) => t.text);
    lastEvent = 0;
    try {
      (await fetchEvents(0)).forEach((e) => {
        lastEvent = Math.max(lastEvent, Number(e.id));
        const at = seen.indexOf(e.text);
        if (at >= 0) seen.splice(at, 1);
        else addText('staff', e.text);
      });
    } catch (e) { /* polling tries again */ }
  }

  async function poll() {
    if (polling || lastEvent === null || document.visibilityState === 'hidden') return;
    polling = true;
    try {
      (await fetchEvents(lastEvent)).forEach((e) => {
        if (Number(e.id) <= lastEvent) return;
        lastEvent = Number(e.id);
        addText('staff', e.text);
      });
    } catch (e) {
      /* offline for a moment: the next poll tries again */
    } finally {
      polling = false;
    }
  }

  // ---- wiring ------------------------------------------------------------------------------------------

  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(input.value); });
  $('lang').addEventListener('click', () => press('lang:' + w('otherLang'), w('other')));
  $('forget').addEventListener('click', async () => {
    if (busy || !window.confirm(w('confirm'))) return;
    setBusy(true);
    try {
      await post('api/forget', {});
      while (log.lastElementChild) log.removeChild(log.lastElementChild);
      csrf = null;
      lastEvent = null;
      setBusy(false);
      await session(true);
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  });
  // Printing shows the estimates' full text too.
  window.addEventListener('beforeprint', () => {
    Array.prototype.forEach.call(document.querySelectorAll('details'), (d) => { d.open = true; });
  });
  document.addEventListener('visibilitychange', poll);
  setInterval(poll, POLL_MS);

  function start() {
    setBusy(true);
    session(true).then(() => setBusy(false), (err) => {
      setBusy(false);
      showError(err, start);
    });
  }
  applyLang('zh');
  start();
}());
