// The reader's js_on_load. Brings the highlight (or the chosen 专栏) into view inside the reader whenever
// it opens something new; where the cited text was read from a picture, the picture's framed line comes
// first (the text read from it follows the picture). On a phone, where the reader sits under the chat, it
// also brings the reader itself into view when a chip or link asked for it (app.js sets __planqaReveal).
const reveal = () => requestAnimationFrame(() => {
  if (window.__planqaReveal) {
    window.__planqaReveal = false;
    element.scrollIntoView({ block: 'start' });
  }
  const body = element.querySelector('.reader-body');
  if (!body) return;
  const hit = body.querySelector('.pic-region, mark, .focus');
  if (!hit) { body.scrollTop = 0; return; }
  const top = hit.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop;
  body.scrollTop = Math.max(0, top - body.clientHeight / 4);
});
watch('value', reveal);
