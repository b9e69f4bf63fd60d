"""Article text out of a web page: the body copy, without the site's furniture."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

# Page furniture, never article copy. Captions (figure > figcaption) stay: they are translated too.
DROPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "iframe",
        "svg",
        "button",
    }
)

# Elements that start and end a paragraph of their own; everything else is inline.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "html", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul", "br",
    }
)  # fmt: skip

# Only ASCII whitespace collapses: no-break spaces (U+00A0, U+202F) are French typography
# that later checks look at.
_SPACES = re.compile(r"[ \t\n\r\f\v]+")

# Markup that is not text: comments, <!DOCTYPE>, <?xml ...?>.
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def extract_article(html: str) -> str:
    """Return the article's text: one paragraph per block, paragraphs separated by a blank line."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_is_furniture):
        if not tag.decomposed:  # already gone with a dropped ancestor
            tag.decompose()
    return "\n\n".join(_paragraphs(_article_root(soup)))


def _is_furniture(tag: Tag) -> bool:
    if tag.name == "header" and tag.find_parent("article") is not None:
        # An <article>'s own <header> usually holds its headline, which must be checked.
        return False
    return tag.name in DROPPED_TAGS or tag.has_attr("hidden")


def _article_root(soup: BeautifulSoup) -> Tag:
    # Several <article>s are usually the story plus teasers for other stories: take the longest.
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup


def _paragraphs(root: Tag) -> list[str]:
    """Walk the tree in document order, closing a paragraph at every block boundary."""
    paragraphs: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(pieces)).strip()
        if text:
            paragraphs.append(text)
        pieces.clear()

    # An explicit stack instead of recursion: real pages nest deeper than Python's recursion limit.
    # A None entry marks the end of a block element's children.
    stack: list[Tag | NavigableString | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            flush()
        elif isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                pieces.append(str(node))
        elif node.name in BLOCK_TAGS:
            flush()
            stack.append(None)
            stack.extend(reversed(node.contents))
        else:
            stack.extend(reversed(node.contents))
    flush()
    return paragraphs
