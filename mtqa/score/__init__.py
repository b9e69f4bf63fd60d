"""Sentence scoring. A Scorer fills ``Sentence.score``/``Document.score`` (1 = good
translation) and may add model findings. The quality-estimation model plugs in here;
until it does, scores stay ``None``.
"""

from __future__ import annotations

from typing import Protocol

from mtqa.document import Document, Finding


class Scorer(Protocol):
    id: str

    def score(self, doc: Document) -> list[Finding]:
        """Set the scores on ``doc`` and return any findings of its own."""
        ...


class NoScorer:
    """Rules only: leaves every score at None."""

    id = "none"

    def score(self, doc: Document) -> list[Finding]:
        return []
