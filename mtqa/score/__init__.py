"""Sentence scoring. A Scorer fills ``Sentence.score`` (1 = good translation) and may add
findings of its own; the quality-estimation model (``mtqa.qe.scorer.QEScorer``) is one.
``fuse`` then folds the rule findings into the scores and sets the document score.
"""

from __future__ import annotations

from typing import Protocol

from mtqa.document import Document, Finding, Severity

# The codes of a scorer's own findings: a flagged span, and a sentence flagged as a whole.
SPAN_ALARM = "MTQA901"
SENTENCE_ALARM = "MTQA902"


class Scorer(Protocol):
    id: str

    def score(self, doc: Document) -> list[Finding]:
        """Set the sentence scores on ``doc`` and return any findings of its own."""
        ...


class NoScorer:
    """Rules only: leaves every score at None."""

    id = "none"

    def score(self, doc: Document) -> list[Finding]:
        return []


# A sentence with a rule finding cannot score above this, whatever the model thinks: the
# rules name a concrete error, so the score (and the ROC AUC built on it) should reflect it.
RULE_CAPS = {Severity.CRITICAL: 0.05, Severity.MAJOR: 0.1, Severity.MINOR: 0.25}


def fuse(doc: Document) -> None:
    """Cap sentence scores by their rule findings; the document score is their length-weighted mean."""
    scored = [s for s in doc.sentences if s.score is not None]
    for s in scored:
        rule_hits = [f.severity for f in s.findings if f.source == "rules"]
        if rule_hits:
            s.score = min(s.score, RULE_CAPS[max(rule_hits)])  # type: ignore[type-var]
    total = sum(len(s.text) for s in scored)
    doc.score = round(sum(s.score * len(s.text) for s in scored) / total, 4) if total else None  # type: ignore[operator]
