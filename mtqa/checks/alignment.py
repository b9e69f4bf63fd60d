"""Omissions and additions, read from the sentence alignment (``mtqa.align``).

- A source sentence with no French counterpart is an omission (MTQA011). Its finding sits
  on the French sentence after which it should have come, and quotes the missing English.
- A French sentence with no source is an addition (MTQA012).
- Within an aligned pair, a clause of the source missing from the French (MTQA013) or a
  clause of the French absent from the source (MTQA014), from ``mtqa.adequacy``.

Datelines, headlines and short lines are left out: feeds drop and add them as layout,
not as translation.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator

from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, SegmentKind, Sentence
from mtqa.limits import ALIGN_MAX_CHARS
from mtqa.segment import segment

MIN_WORDS = 4
QUOTE_CHARS = 220  # of the missing English, in the message


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _body(s: Sentence) -> bool:
    return s.kind is SegmentKind.SENTENCE and len(s.text.split()) >= MIN_WORDS


def _cut_near(doc: Document, s: Sentence, tail: int = 3) -> bool:
    """Whether ``s`` is among the last sentences before the aligner's budget cut the French."""
    if doc.sentences[-1].start < ALIGN_MAX_CHARS:
        return False
    within = [t for t in doc.sentences if t.start < ALIGN_MAX_CHARS]
    return s.index >= within[-1].index - tail + 1


class AlignmentCheck:
    name = "alignment"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        if not doc.source or not doc.sentences:
            return
        if "MTQA011" in self.rules:
            yield from self._omitted_sentences(doc, self.rules["MTQA011"])
        if "MTQA012" in self.rules:
            for s in doc.sentences:
                if not s.source_spans and _body(s) and s.start < ALIGN_MAX_CHARS and not _cut_near(doc, s):
                    yield self.rules["MTQA012"].finding(doc.text, s.start, s.end)
        if "MTQA013" in self.rules or "MTQA014" in self.rules:
            yield from self._clauses(doc)

    def _omitted_sentences(self, doc: Document, rule: Rule) -> Iterator[Finding]:
        assert doc.source is not None
        body = {(s.start, s.end) for s in segment(doc.source) if _body(s)}
        aligned = [s for s in doc.sentences if s.source_spans]
        ends = [s.source_spans[-1][1] for s in aligned]  # in order: the alignment is monotone
        for start, end in doc.unaligned_source:
            if (start, end) not in body:
                continue
            before = bisect.bisect_right(ends, start)
            # The sentence it should follow; at the very start, the first one it should precede.
            anchor = aligned[before - 1] if before else (aligned[0] if aligned else doc.sentences[0])
            yield rule.finding(doc.text, anchor.start, anchor.end, missing=_shorten(doc.source[start:end]))

    def _clauses(self, doc: Document) -> Iterator[Finding]:
        from mtqa.adequacy import length_ratio, scorers, signals

        # A 1-2 link's French sentences share one source: compared as pairs, each would look
        # like an omission. Only 1-1 links are tested.
        sharing = Counter(tuple(s.source_spans) for s in doc.sentences)
        pairs = [
            s
            for s in doc.sentences
            if _body(s)
            and len(s.source_spans) == 1
            and s.similarity is not None
            and sharing[tuple(s.source_spans)] == 1
        ]
        assert doc.source is not None
        score = scorers()

        def english(s: Sentence) -> str:
            return doc.source[s.source_spans[0][0] : s.source_spans[0][1]]  # type: ignore[index]

        pairs = [
            s
            for s in pairs
            if any(
                sc.could_alarm(s.similarity or 0.0, length_ratio(english(s), s.text)) for sc in score.values()
            )
        ]
        if not pairs:
            return
        found = signals([(english(s), s.text) for s in pairs])
        for s, sig in zip(pairs, found, strict=True):
            if "MTQA013" in self.rules and sig.missing and score["omission"].alarm(sig):
                yield self.rules["MTQA013"].finding(doc.text, s.start, s.end, missing=_shorten(sig.missing))
            elif "MTQA014" in self.rules and sig.added and score["addition"].alarm(sig):
                a, b = sig.added
                yield self.rules["MTQA014"].finding(doc.text, s.start + a, s.start + b)
