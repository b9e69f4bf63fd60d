"""JSON Lines, streamed: one schema-1 document per line, written and flushed as each
article is checked, then one summary line. Memory stays flat however long the feed:
nothing is kept but counts.

    {"schema": 1, "document": {...}}          one per article, in input order
    {"schema": 1, "error": {"path", "message", "code"}}   one per input that failed
    {"schema": 1, "summary": {...}}           last, as in the JSON report
"""

from __future__ import annotations

import json
from collections import Counter
from typing import IO, Any

from mtqa import __version__
from mtqa.document import Document, InputFailure, Severity, Status
from mtqa.report.json_report import SCHEMA_VERSION, document_dict


class JsonlWriter:
    """Writes each checked item as it comes; ``close`` writes the summary line."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.documents = self.sentences = self.errors = self.gates_failed = 0
        self.severities: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.statuses: set[Status] = set()
        self.worst: Severity | None = None

    def _line(self, payload: dict[str, Any]) -> None:
        self.out.write(json.dumps({"schema": SCHEMA_VERSION, **payload}, ensure_ascii=False) + "\n")
        self.out.flush()

    def write(self, item: Document | InputFailure) -> None:
        if isinstance(item, InputFailure):
            self.errors += 1
            self._line({"error": {"path": item.path, "message": item.message, "code": item.code}})
            return
        self.documents += 1
        self.sentences += len(item.sentences)
        self.statuses.add(item.status)
        self.gates_failed += bool(item.gates_failed)
        for f in item.findings:
            self.severities[str(f.severity)] += 1
            self.categories[f.category] += 1
            self.worst = f.severity if self.worst is None else max(self.worst, f.severity)
        self._line({"document": document_dict(item)})

    def close(self) -> None:
        if Status.FAIL in self.statuses or self.errors:
            status = Status.FAIL
        else:
            status = Status.WARN if Status.WARN in self.statuses else Status.PASS
        summary = {
            "mtqa_version": __version__,
            "documents": self.documents,
            "sentences": self.sentences,
            "findings": {str(s): self.severities.get(str(s), 0) for s in sorted(Severity, reverse=True)},
            "categories": dict(sorted(self.categories.items())),
            "errors": self.errors,
            "gates_failed": self.gates_failed,
            "status": str(status),
        }
        self._line({"summary": summary})
