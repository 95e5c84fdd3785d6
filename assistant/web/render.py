"""Chat bubble HTML: replies, notices and citation chips. Everything shown goes through esc()."""

from __future__ import annotations

import html
import math
import re

from ..models import Answer, Citation
from .export import citation_label, display_text, list_parts, plain_text, unique
from .figures import badges_html, chip_title, thumb_html
from .links import OPEN_PREFIX, cite_target
from .pictures import Pictures

STREAM_STEPS = 12
ASK_PREFIX = "#ask:"


def esc(text: str) -> str:
    """Everything that reaches the page as HTML goes through here: plan text, answers, user input."""
    return html.escape(text, quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def esc_markdown(text: str) -> str:
    """User text shown verbatim: no HTML (escaped) and no Markdown (backslash-escaped). Quotes stay as
    they are: their entities (&#x27;) hold a "#", which the Markdown escape would break into text."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def one_line(fragment: str) -> str:
    # A blank line would end Markdown's HTML block and the rest of the reply would be re-parsed as Markdown.
    return fragment.replace("\r", "").replace("\n", "<br>")


def user_message(question: str) -> dict[str, str]:
    return {"role": "user", "content": esc_markdown(question)}


def bot_message(fragment: str) -> dict[str, str]:
    return {"role": "assistant", "content": one_line(fragment)}


def render_pending() -> str:
    return '<div class="reply reply-pending"><span class="dots">正在查阅规划原文</span></div>'


def render_notice(text: str) -> str:
    return f'<div class="reply reply-notice"><span class="badge badge-notice">提示</span><p>{esc(text)}</p></div>'


def render_too_long(question: str, limit: int) -> tuple[dict[str, str], dict[str, str]]:
    preview = question[:60] + f"…（共 {len(question)} 字）"
    notice = (f"问题太长了（{len(question)} 字），请精简到 {limit} 字以内再发送。"
              "一次问一件具体的事效果最好，例如“2025年养老机构护理型床位占比?”。")
    return user_message(preview), bot_message(render_notice(notice))


def chip(c: Citation, default_doc: str, extra_class: str = "", pictures: Pictures | None = None) -> str:
    """A link that opens the cited place; a quote read from a picture shows that line's thumbnail (when
    `pictures` knows the picture's size) and says 图片识别, and 请核对原图 when the reading is unsure."""
    label = esc(citation_label(c, picture=False))
    if c.image:
        record = pictures.record(c.doc or default_doc, c.image) if pictures else None
        label = f"{thumb_html(c, record)}<span class=\"chip-text\">{label}</span>{badges_html(c)}"
        extra_class = f"{extra_class} chip-from-picture".strip()
    return (f'<a class="cite-chip {extra_class}" href="{OPEN_PREFIX}{esc(cite_target(c, default_doc))}" '
            f'title="{esc(chip_title(c))}">{label}</a>')


def render_reply(answer: Answer, default_doc: str, shown: str | None = None,
                 suggestions: list[str] | None = None, pictures: Pictures | None = None,
                 scope: list[str] | None = None) -> str:
    """The assistant bubble; `shown` is the part of the text streamed so far (chips come with the last step).

    The finished bubble carries its plain-text form (hidden): the page's copy button copies that.
    `pictures` gives the records of the plans' pictures, for the thumbnails of quotes read from one;
    `scope` names the plans it was looked up in, when not every loaded plan."""
    streaming = shown is not None
    text = (esc(answer.answer if shown is None else shown) + '<span class="cursor">▍</span>') if streaming \
        else reply_html(answer.answer)
    copy = "" if streaming else _copy_text(plain_text(answer))
    more = "" if streaming else _suggestions_row(suggestions or [])
    if scope and not streaming:
        more = f'<div class="scope">查询范围：{esc("、".join(scope))}</div>' + more
    if answer.found:
        chips = "" if streaming else _chips_row("出处", answer.citations, default_doc, pictures)
        return f'<div class="reply reply-found"><p>{text}</p>{chips}{more}{copy}</div>'
    related = "" if streaming else _related_list(answer.related, default_doc, pictures)
    return (f'<div class="reply reply-notfound"><span class="badge badge-notfound">规划中未提及</span>'
            f'<p>{text}</p>{related}{more}{copy}</div>')


def reply_html(text: str) -> str:
    """The finished reply's text: a numbered list as a list, everything else as written."""
    parts = list_parts(text)
    if parts is None:
        return esc(text)
    intro, items, tail = parts
    listed = "".join(f"<li>{n}. {esc(item)}</li>" for n, item in enumerate(items, 1))  # the plan's own numbers
    return f'{esc(intro)}</p><ol class="reply-list">{listed}</ol><p class="reply-tail">{esc(tail)}'


def _copy_text(text: str) -> str:
    # The chat's sanitiser drops data-* attributes, so the text rides in a hidden element, one span a line
    # (a newline would become <br>, which textContent loses).
    lines = "".join(f"<span>{esc(line)}</span>" for line in text.split("\n"))
    return f'<div class="copy-text">{lines}</div>'


def render_partial(shown: str) -> str:
    """The bubble while an LLM writes: plain text and a cursor; sources come with the checked Answer."""
    return f'<div class="reply reply-found"><p>{esc(shown)}<span class="cursor">▍</span></p></div>'


def _chips_row(label: str, citations: list[Citation], default_doc: str, pictures: Pictures | None = None) -> str:
    if not citations:
        return ""
    chips = "".join(chip(c, default_doc, pictures=pictures) for c in unique(citations))
    return f'<div class="cites"><span class="cites-label">{label}</span>{chips}</div>'


def _related_list(related: list[Citation], default_doc: str, pictures: Pictures | None = None) -> str:
    if not related:
        return ""
    items = "".join(f'<li>{chip(c, default_doc, "chip-related", pictures)}'
                    f'<span class="snippet">{esc(_snippet(c.quote))}</span></li>' for c in unique(related))
    return f'<div class="related"><div class="related-title">可以参考规划中的这些内容：</div><ul>{items}</ul></div>'


def _suggestions_row(questions: list[str]) -> str:
    """Next questions as links the page turns into a new question (app.js, `#ask:` links)."""
    if not questions:
        return ""
    links = "".join(f'<a class="suggest-chip" href="{ASK_PREFIX}{esc(q)}">{esc(q)}</a>' for q in questions)
    return f'<div class="suggest"><span class="cites-label">接着问</span>{links}</div>'


def _snippet(quote_text: str, limit: int = 48) -> str:
    text = display_text(quote_text)
    return text if len(text) <= limit else text[:limit] + "…"


def stream_steps(text: str, steps: int = STREAM_STEPS) -> list[str]:
    """Growing prefixes of the reply, so the bubble fills in instead of appearing all at once."""
    size = max(2, math.ceil(len(text) / steps))
    return [text[:i] for i in range(size, len(text), size)]
