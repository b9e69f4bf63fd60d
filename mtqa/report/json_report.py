"""Schema-1 JSON report. The contract is fixed: fields may be added, never renamed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from mtqa.api import Run
from mtqa.document import Document, Finding, Sentence, Severity, Status

SCHEMA_VERSION = 1


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "category": f.category,
        "severity": str(f.severity),
        "start": f.start,
        "end": f.end,
        "text": f.text,
        "message": f.message,
        "suggestions": list(f.suggestions),
        "source": f.source,
    }


def _spans(text: str | None, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"start": a, "end": b, "text": (text or "")[a:b]} for a, b in spans]


def _sentence(s: Sentence, d: Document) -> dict[str, Any]:
    return {
        "index": s.index,
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "status": str(s.status),
        "score": s.score,
        "model_input": s.model_input,
        "kind": str(s.kind),
        "paragraph": s.paragraph,
        "findings": [_finding(f) for f in s.findings],
        "suppressed": [_finding(f) for f in s.suppressed],
        "aligned_source": _spans(d.source, s.source_spans),
        "similarity": s.similarity,
        "aligned_reference": _spans(d.reference, s.reference_spans),
        "chrf": s.chrf,
    }


def document_dict(d: Document) -> dict[str, Any]:
    """One document as in schema 1 (also a line of the streamed JSONL report)."""
    return {
        "path": d.path,
        "text": d.text,
        "status": str(d.status),
        "score": d.score,
        "triage": d.triage,
        "source": d.source,
        "sentences": [_sentence(s, d) for s in d.sentences],
        "unaligned_source": _spans(d.source, d.unaligned_source),
        "reference": d.reference,
        "reference_metrics": d.reference_metrics,
        "gates_failed": d.gates_failed,
    }


def run_status(run: Run) -> Status:
    statuses = {d.status for d in run.documents}
    if Status.FAIL in statuses or run.failures:
        return Status.FAIL
    return Status.WARN if Status.WARN in statuses else Status.PASS


def to_dict(run: Run) -> dict[str, Any]:
    severities = Counter(str(f.severity) for d in run.documents for f in d.findings)
    categories = Counter(f.category for d in run.documents for f in d.findings)
    return {
        "mtqa_version": run.version,
        "schema": SCHEMA_VERSION,
        "settings": {
            "fail_on": str(run.config.fail_on) if run.config.fail_on else "never",
            "scorer": run.scorer_id,
            "config": run.config.source,
            "baseline": str(run.config.baseline) if run.config.baseline else None,
        },
        "documents": [document_dict(d) for d in run.documents],
        "errors": [{"path": f.path, "message": f.message, "code": f.code} for f in run.failures],
        "summary": {
            "documents": len(run.documents),
            "sentences": sum(len(d.sentences) for d in run.documents),
            "findings": {str(s): severities.get(str(s), 0) for s in sorted(Severity, reverse=True)},
            "categories": dict(sorted(categories.items())),
            "errors": len(run.failures),
            "gates_failed": sum(1 for d in run.documents if d.gates_failed),
            "suppressed": sum(d.suppressed for d in run.documents),
            "status": str(run_status(run)),
        },
    }


def render(run: Run) -> str:
    return json.dumps(to_dict(run), ensure_ascii=False, indent=2) + "\n"
