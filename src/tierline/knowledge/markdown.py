"""Article bodies as HTML: CommonMark with raw HTML off (typed tags show as text), no images (the
Content-Security-Policy serves only our own), and markdown-it's link check (no javascript: or
data: links). The one place an article becomes HTML."""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def render_article(body: str) -> SafeString:
    return mark_safe(_renderer.render(body or ""))  # noqa: S308 - raw HTML is escaped by the renderer


def plain_summary(body: str, length: int = 160) -> str:
    """The first words of an article, without Markdown marks, for suggestion lists."""
    words = " ".join(line.lstrip("#>*-+ 0123456789.`") for line in (body or "").splitlines()).split()
    text = " ".join(words)
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"
