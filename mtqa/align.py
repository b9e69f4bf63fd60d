"""Pairs French sentences with English source sentences, when that can be done safely.

No aligner model is available offline, so the rule is conservative: when the source splits
into as many sentences as the French, they are paired in order; otherwise none are paired
and sentence-level comparisons (and the model's source mode) are skipped.
"""

from __future__ import annotations

from mtqa.document import Document, SegmentKind, Sentence
from mtqa.segment import segment


def _content(sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in sentences if s.kind is not SegmentKind.DATELINE and len(s.text.split()) >= 3]


def aligned_sources(doc: Document, targets: list[Sentence] | None = None) -> list[str | None]:
    """The English sentence for each target sentence (default: the document's content sentences)."""
    targets = _content(doc.sentences) if targets is None else targets
    if not doc.source:
        return [None] * len(targets)
    source = [s.text for s in _content(segment(doc.source))]
    return source if len(source) == len(targets) else [None] * len(targets)


def content_sentences(doc: Document) -> list[Sentence]:
    """Sentences worth scoring or comparing: no datelines, at least three words."""
    return _content(doc.sentences)
