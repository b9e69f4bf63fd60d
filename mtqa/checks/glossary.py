"""The newsroom glossary (``--glossary``, ``glossary =`` in the configuration), enforced.

- MTQA020: an English term of the glossary occurs in the source sentence aligned with a
  French sentence (``mtqa.document.source_text``), and none of its accepted French forms occurs
  in that French sentence, even inflected. The finding covers the French sentence: the
  wrong rendering cannot be pointed at without a word aligner.
- MTQA021: a forbidden French form occurs, inflected or not, with or without a source.

Loading and matching live in ``mtqa/glossary.py``; without a glossary the check finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, Sentence, source_text
from mtqa.glossary import Entry, FrenchWords, Glossary


def _quoted(forms: tuple[str, ...], most: int = 3) -> str:
    """« A » ou « B »: how the expected forms read in a message."""
    shown = [f"« {f} »" for f in forms[:most]]
    return " ou ".join(shown)


def _note(entry: Entry) -> str:
    return f" Note du glossaire : {entry.note.rstrip('.')}." if entry.note else ""


def _fill(template: str, **fields: str) -> str:
    for key, value in fields.items():
        template = template.replace("{" + key + "}", value)
    return template


class GlossaryCheck:
    name = "glossary"

    def __init__(self, rules: list[Rule], glossary: Glossary | None = None) -> None:
        self.rules = {r.code: r for r in rules}
        self.glossary = glossary

    def run(self, doc: Document) -> Iterator[Finding]:
        if not self.glossary:
            return
        missing, forbidden = self.rules.get("MTQA020"), self.rules.get("MTQA021")
        if not self.glossary.has_forbidden:
            forbidden = None
        for sentence in doc.sentences:
            # A sentence's words and lemmas are indexed once, and only when something is looked up.
            words = None
            if forbidden is not None:
                words = FrenchWords(sentence.text, sentence.start)
                yield from self._forbidden(doc, forbidden, words)
            if missing is not None and doc.source:
                yield from self._missing(doc, sentence, missing, words)

    def _forbidden(self, doc: Document, rule: Rule, words: FrenchWords) -> Iterator[Finding]:
        assert self.glossary is not None
        for start, end, entry in self.glossary.forbidden_in(words):
            text = doc.text[start:end]
            advice = f" ; écrire {_quoted(entry.targets)}" if entry.targets else ""
            message = _fill(rule.message, match=text, expected=advice, note=_note(entry))
            yield Finding(rule.code, rule.category, rule.severity, start, end, text, message, entry.targets)

    def _missing(
        self, doc: Document, sentence: Sentence, rule: Rule, words: FrenchWords | None
    ) -> Iterator[Finding]:
        assert self.glossary is not None
        english = source_text(doc, sentence)
        terms = self.glossary.source_terms(english) if english else []
        if not terms:
            return
        words = words or FrenchWords(sentence.text, sentence.start)
        messages: list[str] = []
        suggestions: dict[str, None] = {}
        for term, n in terms:
            # A forbidden form standing for the term is flagged on its own words (MTQA021).
            if self.glossary.rendered(n, words) or self.glossary.forbidden_for(n, words):
                continue
            entry = self.glossary.entries[n]
            messages.append(
                _fill(rule.message, term=term, expected=_quoted(entry.targets), note=_note(entry))
            )
            suggestions.update(dict.fromkeys(entry.targets))
        if messages:
            # One finding per sentence: findings on the same span merge into one (mtqa.api._merge).
            start, end = sentence.start, sentence.end
            text = doc.text[start:end]
            yield Finding(
                rule.code,
                rule.category,
                rule.severity,
                start,
                end,
                text,
                " ".join(messages),
                tuple(suggestions),
            )
