"""The library entry point: ``check_paths`` and ``check_text`` run
read → segment → check → score and return findings attached to sentences.
"""

from __future__ import annotations

import bisect
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from mtqa import __version__
from mtqa.checks import Check, build_checks
from mtqa.checks.rulebook import pattern_codes, rule
from mtqa.config import Config
from mtqa.document import INTERNAL_ERROR, Document, Finding, InputFailure, Severity
from mtqa.gates import failed_gates
from mtqa.glossary import load_glossary
from mtqa.limits import MAX_FINDINGS_PER_DOCUMENT
from mtqa.read import read_inputs
from mtqa.score import SENTENCE_ALARM, NoScorer, Scorer, fuse
from mtqa.score.triage import triage
from mtqa.segment import segment

log = logging.getLogger(__name__)

TOO_MANY_FINDINGS = "MTQA899"


@dataclass
class Run:
    """Everything one invocation found: the report writers' only input."""

    documents: list[Document] = field(default_factory=list)
    failures: list[InputFailure] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    scorer_id: str = "none"
    version: str = __version__

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.documents for f in d.findings if f.severity == severity)

    def worst(self) -> Severity | None:
        found = [f.severity for d in self.documents for f in d.findings]
        return max(found) if found else None


class Checker:
    """Holds the loaded checks and scorer so a batch pays their start-up cost once."""

    def __init__(self, config: Config | None = None, scorer: Scorer | None = None) -> None:
        self.config = config or Config()
        if scorer is None:
            scorer = default_scorer() if self.config.model else NoScorer()
        self.scorer = scorer
        # Loaded once per Checker; a bad file raises GlossaryError (a ValueError), one line.
        glossary = load_glossary(self.config.glossary) if self.config.glossary else None
        self.checks: list[Check] = build_checks(self.config.enabled, glossary=glossary)
        self.baseline = None
        if self.config.baseline is not None:
            from mtqa.baseline import Baseline  # a BaselineError (a ValueError) is one line

            self.baseline = Baseline.load(self.config.baseline)

    def check(self, doc: Document) -> Document | InputFailure:
        from mtqa.checks.language import language_name, language_shares

        doc.sentences = segment(doc.text)
        share, other = language_shares(doc)
        if share is not None and share < self.config.min_french_share:
            mostly = f"mostly {language_name(other)}, " if other else ""
            return InputFailure(
                doc.path, f"{doc.path}: not French text ({mostly}{share:.0%} of it reads as French)"
            )
        if doc.source:
            from mtqa.align import align_document

            align_document(doc)
        findings: list[Finding] = []
        for check in self.checks:
            findings.extend(check.run(doc))
        findings += _unclaimed(doc, self.scorer.score(doc), findings)
        _attach(doc, _capped(_merge(self._override(findings))))
        if doc.reference:
            from mtqa.reference import score_reference  # sacrebleu only when a reference is given

            score_reference(doc)
        fuse(doc)
        doc.triage = triage(doc)
        # After scoring: the score and triage judge the translation, which the baseline does not
        # change; the status, the exit code and the gates read what is left.
        if self.baseline is not None:
            self.baseline.suppress(doc)
        doc.gates_failed = failed_gates(doc, self.config)
        return doc

    def _override(self, findings: list[Finding]) -> list[Finding]:
        overrides = self.config.severity
        if not overrides:
            return findings
        return [replace(f, severity=overrides.get(f.rule, f.severity)) for f in findings]

    def check_all(
        self,
        paths: list[str],
        stdin: object | None = None,
        jobs: int = 1,
        watch: Callable[[Iterator[Document | InputFailure]], Iterator[Document | InputFailure]] | None = None,
    ) -> Run:
        """Every input checked into one Run; ``watch`` wraps the stream (a progress bar)."""
        run = Run(config=self.config)
        items = self.iter_checked(paths, stdin, jobs)
        for item in watch(items) if watch is not None else items:
            (run.failures if isinstance(item, InputFailure) else run.documents).append(item)
        run.scorer_id = self.scorer.id
        return run

    def iter_checked(
        self, paths: list[str], stdin: object | None = None, jobs: int = 1, done: Counter[str] | None = None
    ) -> Iterator[Document | InputFailure]:
        """Every input checked, in input order; ``jobs`` > 1 checks in that many processes.
        ``done`` counts inputs by path that a resumed run already reported: they are skipped
        unchecked (and the count used up)."""
        items = read_inputs(
            paths,
            encoding=self.config.encoding,
            max_bytes=self.config.max_bytes,
            stdin=stdin,  # type: ignore[arg-type]
        )
        if done:
            items = _not_done(items, done)
        if jobs > 1:
            import multiprocessing

            if "fork" in multiprocessing.get_all_start_methods():
                from mtqa.workers import check_in_workers

                yield from check_in_workers(self, items, jobs)
                return
            log.warning("--jobs needs fork() (Linux, macOS); checking in one process")
        for item in items:
            yield item if isinstance(item, InputFailure) else self.check_isolated(item)

    def check_isolated(self, doc: Document) -> Document | InputFailure:
        """``check``, with any unexpected error turned into a failure of this document alone,
        so that one bad article never loses the rest of a feed."""
        try:
            return self.check(doc)
        except Exception as e:
            log.debug("internal error while checking %s", doc.path, exc_info=True)
            return internal_failure(doc.path, e, "; --debug shows the traceback")


def internal_failure(where: str, e: Exception, hint: str = "") -> InputFailure:
    """An unexpected error while checking one input, as that input's failure (one line)."""
    reason = " ".join(f"{type(e).__name__}: {e}".split())[:300]
    message = f"{where}: internal error while checking ({reason}); the other inputs were checked{hint}"
    return InputFailure(where, message, INTERNAL_ERROR)


def _not_done(
    items: Iterator[Document | InputFailure], done: Counter[str]
) -> Iterator[Document | InputFailure]:
    for item in items:
        if done[item.path] > 0:
            done[item.path] -= 1
        else:
            yield item


def default_scorer() -> Scorer:
    """The bundled QE model, loaded once per process; raises ModelError if it is unusable."""
    from mtqa.qe.scorer import load_scorer

    return load_scorer()


def _unclaimed(doc: Document, model: list[Finding], rules: list[Finding]) -> list[Finding]:
    """The model findings that no rule finding already explains.

    - In a sentence a rule identifies as page furniture (a credit, a share button, a
      timestamp), a model alarm says nothing about the translation: dropped.
    - A span on words a rule flagged: the rule's message (and suggestion) is the better one,
      so the two merge into the rule's.
    - A whole-sentence alarm (MTQA902) is explained only by a major rule finding in the
      sentence: a stray typography or style point does not account for a sentence the model
      reads as mistranslated, and the editor should still look at the whole of it.
    """
    starts = [s.start for s in doc.sentences]
    furniture = {_sentence_index(starts, r.start) for r in rules if r.category == "boilerplate"}
    out = []
    for m in model:
        if _sentence_index(starts, m.start) in furniture:
            continue
        overlapping = [r for r in rules if r.start < m.end and m.start < r.end]
        if m.rule == SENTENCE_ALARM:
            explained = any(r.severity >= Severity.MAJOR for r in overlapping)
        else:
            explained = bool(overlapping)
        if not explained:
            out.append(m)
    return out


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per span. Where several flag the same words, a hand-written pattern rule
    (it knows what the words are: a share button, a calque) beats a statistical detector
    (the language detector, the model), then the more severe wins."""
    patterns = pattern_codes()

    def rank(f: Finding) -> tuple[bool, Severity, str]:
        return (f.rule in patterns, f.severity, f.rule)

    best: dict[tuple[int, int], Finding] = {}
    for f in findings:
        key = (f.start, f.end)
        if key not in best or rank(f) > rank(best[key]):
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, f.end, f.rule))


def _capped(findings: list[Finding], limit: int = MAX_FINDINGS_PER_DOCUMENT) -> list[Finding]:
    """At most ``limit`` findings, the most severe first; the rest become one MTQA899 finding
    on the first one left out, as severe as the worst of them."""
    if len(findings) <= limit:
        return findings
    ranked = sorted(findings, key=lambda f: (-f.severity, f.start, f.end, f.rule))
    kept, dropped = ranked[:limit], ranked[limit:]
    first = min(dropped, key=lambda f: (f.start, f.end))
    r = rule(TOO_MANY_FINDINGS)
    summary = Finding(
        r.code,
        r.category,
        max(f.severity for f in dropped),
        first.start,
        first.end,
        first.text,
        r.message.replace("{count}", str(len(dropped))).replace("{limit}", str(limit)),
        r.suggestions,
    )
    return sorted([*kept, summary], key=lambda f: (f.start, f.end, f.rule))


def _sentence_index(starts: list[int], offset: int) -> int:
    """The sentence a finding starting at ``offset`` belongs to (``starts``: sentence starts)."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def _attach(doc: Document, findings: list[Finding]) -> None:
    starts = [s.start for s in doc.sentences]
    for f in findings:
        if doc.sentences:
            doc.sentences[_sentence_index(starts, f.start)].findings.append(f)


def check_text(text: str, config: Config | None = None, path: str = "<text>") -> Document:
    """Check one article given as a string; raises ValueError if it is not French text."""
    result = Checker(config).check(Document(path=path, text=text))
    if isinstance(result, InputFailure):
        raise ValueError(result.message)
    return result


def check_paths(paths: list[str], config: Config | None = None) -> Run:
    return Checker(config).check_all(paths)
