"""Baselines: accept today's findings, fail only on new ones.

``mtqa baseline FILE…`` writes every finding of a check to ``mtqa-baseline.json``;
``mtqa check --baseline mtqa-baseline.json`` (or ``baseline =`` in ``[tool.mtqa]``) then moves
the findings the baseline holds out of ``findings`` into ``suppressed``. Suppressed findings no
longer count for the status, the exit code or the gates; the JSON and SARIF reports keep them,
marked, and every summary counts them.

A finding is known by its document, its rule, the flagged words and its sentence, the last two
with whitespace collapsed and case folded, never by offsets: editing the article above a
finding leaves it suppressed; editing its own sentence brings it back, for an editor to look
again. The same finding twice in one document needs two baseline entries.

Document paths are stored relative to the baseline file's folder, so a baseline works
whichever folder ``mtqa`` runs from; a feed record keeps its ``#id``.

The file is sorted JSON, one entry per finding, so that a change to it reads well in a diff::

    {"mtqa_baseline": 1, "mtqa_version": "0.9.0",
     "documents": {"articles/a.txt": [{"rule": "MTQA401", "text": "s'est démissionné",
                                       "fingerprint": "3f2a…"}]}}
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtqa import __version__
from mtqa.document import Document, Finding, Sentence
from mtqa.report.positions import split_record

FORMAT_VERSION = 1
DEFAULT_NAME = "mtqa-baseline.json"


class BaselineError(ValueError):
    """A baseline file that cannot be read; its message is one line naming the file."""


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def fingerprint(f: Finding, sentence: Sentence) -> str:
    """The finding's identity within its document: rule, flagged words and sentence."""
    key = "\0".join((f.rule, normalise(f.text), normalise(sentence.text)))
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


def document_key(path: str, folder: Path) -> str:
    """``path`` as the baseline stores it: relative to ``folder``, with ``/`` separators."""
    file, record = split_record(path)
    if file != "-" and not file.startswith("<"):
        try:
            file = os.path.relpath(os.path.abspath(file), os.path.abspath(folder))
        except ValueError:  # another drive on Windows: keep it absolute
            file = os.path.abspath(file)
        file = file.replace(os.sep, "/")
    return file if record is None else f"{file}#{record}"


@dataclass
class Baseline:
    """Known findings per document: fingerprint → how many times it may occur."""

    folder: Path
    known: dict[str, Counter[str]] = field(default_factory=dict)
    path: str = DEFAULT_NAME

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline; write one with `mtqa baseline FILE…`") from None
        except (OSError, UnicodeDecodeError) as e:
            raise BaselineError(f"{path}: cannot read the baseline ({e})") from None
        except json.JSONDecodeError as e:
            raise BaselineError(
                f"{path}: not a baseline: invalid JSON ({e.msg} at line {e.lineno})"
            ) from None
        return cls.from_data(data, path.parent, str(path))

    @classmethod
    def from_data(cls, data: object, folder: Path, path: str = DEFAULT_NAME) -> Baseline:
        """A baseline from its parsed JSON; ``folder`` is where its document paths start."""
        if not isinstance(data, dict) or data.get("mtqa_baseline") != FORMAT_VERSION:
            raise BaselineError(f'{path}: not an mtqa baseline (no "mtqa_baseline": {FORMAT_VERSION})')
        documents = data.get("documents")
        if not isinstance(documents, dict):
            raise BaselineError(f'{path}: "documents" must be an object of document → findings')
        known: dict[str, Counter[str]] = {}
        for key, entries in documents.items():
            if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
            ):
                raise BaselineError(f'{path}: {key}: each finding needs a "fingerprint" string')
            known[key] = Counter(e["fingerprint"] for e in entries)
        return cls(folder=folder, known=known, path=path)

    def suppress(self, doc: Document) -> int:
        """Move ``doc``'s known findings to their sentences' ``suppressed`` lists, in text
        order; returns how many moved."""
        left = self.known.get(document_key(doc.path, self.folder))
        if not left:
            return 0
        left = Counter(left)  # this document's own copy: the baseline is reused for the next one
        moved = 0
        for s in doc.sentences:
            keep = []
            for f in s.findings:
                fp = fingerprint(f, s)
                if left[fp] > 0:
                    left[fp] -= 1
                    s.suppressed.append(f)
                    moved += 1
                else:
                    keep.append(f)
            s.findings = keep
        return moved


def baseline_dict(documents: list[Document], folder: Path) -> dict[str, Any]:
    """The baseline of ``documents``' findings, suppressed ones included, as JSON data."""
    out: dict[str, list[dict[str, str]]] = {}
    for d in documents:
        entries = [
            {"rule": f.rule, "text": " ".join(f.text.split()), "fingerprint": fingerprint(f, s)}
            for s in d.sentences
            for f in (*s.findings, *s.suppressed)
        ]
        if entries:
            key = document_key(d.path, folder)
            out.setdefault(key, []).extend(entries)
    for entries in out.values():
        entries.sort(key=lambda e: (e["rule"], e["fingerprint"]))
    return {
        "mtqa_baseline": FORMAT_VERSION,
        "mtqa_version": __version__,
        "documents": dict(sorted(out.items())),
    }


def render(documents: list[Document], folder: Path) -> str:
    return json.dumps(baseline_dict(documents, folder), ensure_ascii=False, indent=1) + "\n"
