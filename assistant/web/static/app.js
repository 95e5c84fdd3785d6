// The page's own behaviour, run once (the header's js_on_load, where `trigger` sends an event to the server).
// One document-level listener covers chat bubbles rendered long after load.
window.__planqaOpen = (target) => trigger('click', { target });
const NARROW = '(max-width: 700px)';

// Gradio's own English labels with no Chinese in its locale files (and "Liked", which it never translates).
const LABELS = {
  'Copy message': '复制', 'Copied message': '已复制', 'Copy': '复制', 'Copied': '已复制', 'Like': '赞',
  'Liked': '已赞', 'Dislike': '踩', 'Disliked': '已踩', 'Feedback': '反馈', 'Clear': '清空', 'Retry': '重试',
  'Undo': '撤销', 'Edit': '编辑', 'Submit': '发送', 'Stop': '停止', 'Share': '分享', 'Download': '下载',
  'Fullscreen': '全屏', 'Exit fullscreen mode': '退出全屏', 'Close': '关闭', 'Warning': '提示', 'Info': '提示',
  'Error': '出错了', 'Loading...': '加载中…', 'Scroll down': '向下滚动', 'Loading response': '正在回答',
  'Loading content': '正在加载', 'Example attachments': '示例附件',
};
// Gradio names each bubble "bot's message: <its HTML source>"; a screen reader should hear the text.
const MESSAGE_NAMES = { "bot's message: ": '回答：', "user's message: ": '提问：' };
const COPY_LABELS = new Set(['Copy message', '复制', '复制消息']);

function translateOne(el) {
  for (const attr of ['aria-label', 'title']) {
    const value = el.getAttribute(attr);
    if (value && LABELS[value]) el.setAttribute(attr, LABELS[value]);
  }
  const name = el.getAttribute('aria-label') || '';
  const prefix = Object.keys(MESSAGE_NAMES).find((p) => name.startsWith(p));
  if (prefix || name.includes('<')) {
    el.setAttribute('aria-label', (MESSAGE_NAMES[prefix] || '') + el.innerText.replace(/\s+/g, ' ').trim());
  }
  if (el.classList.contains('toast-title') && LABELS[el.textContent.trim()]) {
    el.textContent = LABELS[el.textContent.trim()];
  }
}

function translate(root) {
  // Only what changed (a mutation's node and what was added under it): a streaming reply changes the page
  // many times a second, and re-reading the whole page each time would slow every chat down.
  if (!(root instanceof Element)) return;
  translateOne(root);
  for (const el of root.querySelectorAll('[aria-label], [title], .toast-title')) translateOne(el);
}

function plainReply(button) {
  // The bubble the button belongs to: Gradio puts a message's buttons right after its .message-row.
  let row = button.closest('[class*="message-buttons"]');
  while (row && !row.classList.contains('message-row')) row = row.previousElementSibling;
  if (!row) return null;
  const plain = row.querySelector('.reply .copy-text');
  if (plain) return [...plain.children].map((line) => line.textContent).join('\n');
  const shown = row.querySelector('.message-content');  // a user message or a notice: its text as shown
  return shown ? shown.innerText.trim() : null;
}

async function copyPlain(button, text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {  // no clipboard permission (plain http on another host): the old way
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.setAttribute('aria-label', '已复制');
  button.setAttribute('data-copied', text);  // the page exposes what was copied (tests read it)
  setTimeout(() => button.setAttribute('aria-label', '复制'), 2000);
}

function ask(question) {
  const box = document.querySelector('#question textarea');
  if (!box) return;
  box.value = question;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  // The 发送 button, once Svelte has taken the new value (a synthetic Enter key is not acted on).
  setTimeout(() => document.querySelector('#question button')?.click(), 50);
}

if (!window.__planqaBound) {
  window.__planqaBound = true;
  document.addEventListener('click', (event) => {
    const t = event.target;
    const link = t.closest && t.closest('a[href^="#open:"], a[href^="#ask:"]');
    if (link) {
      event.preventDefault();
      event.stopPropagation();
      const href = link.getAttribute('href');
      if (href.startsWith('#ask:')) return ask(href.slice(5));
      window.__planqaReveal = window.matchMedia(NARROW).matches;
      return window.__planqaOpen(href.slice(6));
    }
    // The chatbot's copy button copies the bubble's source, which is HTML: give the plain text instead.
    const button = t.closest && t.closest('#chat button');
    if (button && COPY_LABELS.has(button.getAttribute('aria-label') || '')) {
      const text = plainReply(button);
      if (!text) return;
      event.preventDefault();
      event.stopPropagation();
      copyPlain(button, text);
    }
  }, true);
  let changed = new Set(), scheduled = false;
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') changed.add(r.target);
      else r.addedNodes.forEach((n) => changed.add(n.nodeType === 1 ? n : n.parentElement));
    }
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      const batch = changed;
      changed = new Set();
      scheduled = false;
      batch.forEach((el) => el && el.isConnected && translate(el));
    });
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
  translate(document.body);
  // `#7.3`, `#P2`, `?open=7.3` or `?open=<doc>:7.3` in the address opens that section in the reader.
  const openLink = () => {
    const query = new URLSearchParams(location.search).get('open');
    const hash = decodeURIComponent(location.hash.slice(1));
    const raw = query || (/^([^:]+:)?P?\d+(\.\d+)?$/.test(hash) ? hash : '');
    if (raw) window.__planqaOpen('link:' + raw);
  };
  window.addEventListener('hashchange', openLink);
  setTimeout(openLink, 0);
}
