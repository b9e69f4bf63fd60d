"""Checks that need more than one segment: unbalanced quotation marks in a paragraph,
and photo credits left beside a caption.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa.checks.language import foreign_language
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, SegmentKind, Sentence

UNBALANCED_QUOTES, QUOTE_AT_TEXT_EDGE = "MTQA751", "MTQA752"


def _paragraphs(doc: Document) -> list[list[Sentence]]:
    paras: dict[int, list[Sentence]] = {}
    for s in doc.sentences:
        paras.setdefault(s.paragraph, []).append(s)
    return [paras[k] for k in sorted(paras)]


class QuoteBalanceCheck:
    """A « without its » (or the reverse) in one paragraph: a quotation MT cut or merged.

    French typography may leave a quotation open at the end of a paragraph when the next
    one continues it with « ; that case is accepted.
    """

    name = "quotes"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        paras = _paragraphs(doc)
        for i, para in enumerate(paras):
            start, end = para[0].start, para[-1].end
            text = doc.text[start:end]
            depth, opened_at = 0, -1
            for m in re.finditer(r"[«»]", text):
                if m.group() == "«":
                    if depth == 0:
                        opened_at = m.start()
                    depth += 1
                elif depth == 0:
                    # A » in the first paragraph closes a quotation cut off before the text began.
                    yield from self._emit(doc, start + m.start(), cut=i == 0)
                else:
                    depth -= 1
            if depth > 0:
                continued = i + 1 < len(paras) and doc.text[paras[i + 1][0].start :].lstrip().startswith("«")
                if not continued:
                    # In the last paragraph, the text (an excerpt, a feed item) may end mid-quotation.
                    yield from self._emit(doc, start + opened_at, cut=i == len(paras) - 1)

    def _emit(self, doc: Document, pos: int, cut: bool) -> Iterator[Finding]:
        rule = self.rules.get(QUOTE_AT_TEXT_EDGE if cut else UNBALANCED_QUOTES)
        if rule is not None:
            yield rule.finding(doc.text, pos, pos + 1)


_NAME_LINE = re.compile(r"^(?:[A-ZÀ-Ý][\w'’.-]+)(?: (?:[A-ZÀ-Ý][\w'’.-]+|de|da|van|von|bin|ben|al|el)){1,3}$")
_CAPTION_HINT = re.compile(
    r"\b(?:photo|crédit|©|AFP|Reuters|AP|Getty|EPA|Anadolu|légende|Xinhua|Bloomberg)\b", re.IGNORECASE
)


class CreditCheck:
    """A lone personal name on its own line next to a caption: a photo credit left in the body."""

    name = "credit"

    def __init__(self, rules: list[Rule]) -> None:
        self.rule = rules[0]

    def run(self, doc: Document) -> Iterator[Finding]:
        paras = _paragraphs(doc)
        for i, para in enumerate(paras):
            if len(para) != 1 or para[0].kind is not SegmentKind.HEADLINE:
                continue
            s = para[0]
            if not _NAME_LINE.match(s.text) or len(s.text) > 40:
                continue
            neighbours = [paras[j] for j in (i - 1, i + 1) if 0 <= j < len(paras)]
            if any(self._is_caption(n) for n in neighbours):
                yield self.rule.finding(doc.text, s.start, s.end)

    @staticmethod
    def _is_caption(para: list[Sentence]) -> bool:
        text = " ".join(s.text for s in para)
        return bool(_CAPTION_HINT.search(text)) or foreign_language(text) is not None
