"""CI gates beyond severity: a document also fails when its score is below ``min_score`` or
when it has more than ``max_findings`` findings (``--min-score``, ``--max-findings``, or
``min-score`` and ``max-findings`` in ``[tool.mtqa]``)."""

from __future__ import annotations

from mtqa.config import Config
from mtqa.document import Document


def failed_gates(doc: Document, config: Config) -> list[str]:
    """Why ``doc`` fails the configured gates, one reason each; empty when it passes them.
    A document without a score (the model off, or nothing it could read) passes ``min_score``."""
    reasons = []
    if config.min_score is not None and doc.score is not None and doc.score < config.min_score:
        reasons.append(f"score {doc.score:.2f} below the minimum {config.min_score:.2f}")
    if config.max_findings is not None and len(doc.findings) > config.max_findings:
        reasons.append(f"{len(doc.findings)} findings, more than the maximum {config.max_findings}")
    return reasons
