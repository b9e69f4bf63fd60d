"""JSON Lines, streamed: one schema-1 document per line, written and flushed as each
article is checked, then one summary line. Memory stays flat however long the feed:
nothing is kept but counts.

    {"schema": 1, "document": {...}}          one per article, in input order
    {"schema": 1, "error": {"path", "message", "code"}}   one per input that failed
    {"schema": 1, "summary": {...}}           last, as in the JSON report
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import IO, Any

from mtqa import __version__
from mtqa.document import Document, InputFailure, Severity, Status
from mtqa.report.json_report import SCHEMA_VERSION, document_dict


class JsonlWriter:
    """Writes each checked item as it comes; ``close`` writes the summary line."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.documents = self.sentences = self.errors = self.gates_failed = self.suppressed = 0
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
        line = document_dict(item)
        self._count(line)
        self._line({"document": line})

    def _count(self, doc: dict[str, Any]) -> None:
        """Add one document, as written, to the summary's counts."""
        self.documents += 1
        self.sentences += len(doc["sentences"])
        self.statuses.add(Status(doc["status"]))
        self.gates_failed += bool(doc["gates_failed"])
        for s in doc["sentences"]:
            self.suppressed += len(s["suppressed"])
            for f in s["findings"]:
                severity = Severity.parse(f["severity"])
                self.severities[str(severity)] += 1
                self.categories[f["category"]] += 1
                self.worst = severity if self.worst is None else max(self.worst, severity)

    def resume(self, path: Path, name: Path | None = None) -> Counter[str]:
        """Take up the file a stopped run left: count its complete article and error lines as
        if written now, cut off its summary and any half-written last line, and return how many
        times each input path was reported, for the run to skip them. ``name``: the file as the
        user knows it, for messages. Nothing is changed unless every line is understood."""
        done: Counter[str] = Counter()
        keep = 0
        with open(path, "rb") as f:
            for lineno, raw in enumerate(f, start=1):
                if not raw.endswith(b"\n"):
                    break  # cut off mid-line by the crash
                try:
                    payload = json.loads(raw)
                    if payload["schema"] != SCHEMA_VERSION:
                        raise ValueError(f"schema {payload['schema']}")
                    if "summary" in payload:
                        break
                    if "document" in payload:
                        self._count(payload["document"])
                        done[payload["document"]["path"]] += 1
                    else:
                        self.errors += 1
                        done[payload["error"]["path"]] += 1
                except (ValueError, KeyError, TypeError) as e:
                    raise ValueError(
                        f"{name or path}:{lineno}: not a line of an mtqa JSONL report "
                        f"({type(e).__name__}: {e}); cannot resume from it"
                    ) from None
                keep += len(raw)
        os.truncate(path, keep)
        return done

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
            "suppressed": self.suppressed,
            "status": str(status),
        }
        self._line({"summary": summary})
