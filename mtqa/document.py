"""The data that flows through the pipeline: documents, sentences and findings.

Every offset is a Python string index into ``Document.text`` exactly as read
(after decoding, before any normalisation), so reports can highlight spans
without re-tokenising.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How much a finding matters to an editor; the order is meaningful."""

    MINOR = 1
    MAJOR = 2
    CRITICAL = 3

    @classmethod
    def parse(cls, name: str) -> Severity:
        return cls[name.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


class Status(enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"

    def __str__(self) -> str:
        return self.value


class SegmentKind(enum.Enum):
    """What a segment is in the article's layout."""

    SENTENCE = "sentence"  # ends with final punctuation
    HEADLINE = "headline"  # a line without final punctuation: title, caption, credit
    DATELINE = "dateline"  # "JAKARTA -", "PARIS (AFP) -"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Finding:
    """One flagged span: the single currency between checks and reports."""

    rule: str
    category: str
    severity: Severity
    start: int
    end: int
    text: str
    message: str
    suggestions: tuple[str, ...] = ()
    source: str = "rules"  # "rules" or "model"


@dataclass(slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int
    kind: SegmentKind = SegmentKind.SENTENCE
    findings: list[Finding] = field(default_factory=list)
    score: float | None = None
    # How the QE model read the sentence (with-source, french-only, windows: N, skipped: why);
    # None when no model ran or the sentence is not one it scores (datelines, under 3 words).
    model_input: str | None = None
    # Bilingual mode (mtqa.align): the spans of ``Document.source`` this sentence translates
    # (two for a 2-1 link; none for an addition or without a source), and how close the two
    # read in the multilingual encoder (cosine, None when not aligned).
    source_spans: list[tuple[int, int]] = field(default_factory=list)
    similarity: float | None = None
    # Reference mode (mtqa.reference): the spans of ``Document.reference`` aligned with this
    # sentence, and the sentence's chrF against them.
    reference_spans: list[tuple[int, int]] = field(default_factory=list)
    chrf: float | None = None
    # Findings a baseline accepted (mtqa.baseline): reported as such, never counted.
    suppressed: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return status_of(self.findings)


@dataclass(slots=True)
class Document:
    """One article. ``path`` names it in reports (a file path, ``feed.jsonl#id`` or ``-``)."""

    path: str
    text: str
    source: str | None = None  # the English source, when a feed carries it
    reference: str | None = None  # a reference translation, when a feed carries it
    sentences: list[Sentence] = field(default_factory=list)
    score: float | None = None
    triage: float | None = None  # how much the article needs an editor, in [0, 1] (mtqa.score.triage)
    # Source sentences with no French counterpart (omissions), as spans of ``source``.
    unaligned_source: list[tuple[int, int]] = field(default_factory=list)
    # Document-level BLEU, chrF and TER against ``reference``, with sacrebleu's signatures.
    reference_metrics: dict[str, object] | None = None
    # The CI gates it fails (mtqa.gates): a score under --min-score, findings over --max-findings.
    gates_failed: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.sentences for f in s.findings]

    @property
    def suppressed(self) -> int:
        """How many findings the baseline suppressed."""
        return sum(len(s.suppressed) for s in self.sentences)

    @property
    def status(self) -> Status:
        return status_of(self.findings)


@dataclass(frozen=True, slots=True)
class InputFailure:
    """An input that could not be read or checked; reported, never raised past the batch."""

    path: str
    message: str
    code: str = "input-error"  # or INTERNAL_ERROR: mtqa failed on an input it had read


INTERNAL_ERROR = "internal-error"


def status_of(findings: list[Finding]) -> Status:
    if not findings:
        return Status.PASS
    worst = max(f.severity for f in findings)
    return Status.FAIL if worst >= Severity.MAJOR else Status.WARN


# Reading a checked document's alignment (mtqa.align writes it): cheap, so checks that only
# read it never load the aligner and numpy.
def source_text(doc: Document, sentence: Sentence) -> str | None:
    """The English a French sentence translates (joined when two sentences), or None."""
    if not doc.source or not sentence.source_spans:
        return None
    return " ".join(doc.source[a:b] for a, b in sentence.source_spans)


def content_sentences(doc: Document) -> list[Sentence]:
    """Sentences worth scoring or comparing: no datelines, at least three words."""
    return [s for s in doc.sentences if s.kind is not SegmentKind.DATELINE and len(s.text.split()) >= 3]


def aligned_sources(doc: Document, targets: list[Sentence] | None = None) -> list[str | None]:
    """The English of each target sentence (default: the document's content sentences), as
    aligned by ``align_document``; None where a sentence has no source."""
    targets = content_sentences(doc) if targets is None else targets
    return [source_text(doc, s) for s in targets]
