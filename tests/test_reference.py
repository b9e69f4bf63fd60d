"""Reference metrics (mtqa.reference) and the QE-vs-chrF correlation of ``mtqa eval``.

Most tests replace the embedding aligner with a simple in-order one, so that they test the
metrics and not the aligner; the JSON test runs the real pipeline end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

import mtqa.align
from mtqa.align import Link
from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document, Finding
from mtqa.evaluate import Evaluation, evaluate, format_evaluation, kendall_tau_b, pearson
from mtqa.reference import TER_MAX_WORDS, TER_PIECE_WORDS, _ter_pieces, corpus_metrics, sentence_chrf

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "mtqa" / "report" / "schema-1.json").read_text())

FRENCH = (
    "Le ministre a déclaré que les pourparlers avaient été constructifs. "
    "Mais les différences restaient.\n"
    "Le président a reçu mardi son homologue brésilien à l'Élysée pour parler du climat.\n"
)
REFERENCE = (
    "Le ministre a estimé que les discussions avaient été constructives, "
    "mais que des divergences subsistaient.\n"
    "Le président a reçu mardi son homologue brésilien à l'Élysée pour parler du climat.\n"
)


def in_order(source: list, target: list, ratio: float = 1.15) -> list[Link]:
    """A stand-in aligner: the i-th segment of each side together, the surplus left alone."""
    n, m = len(source), len(target)
    links = [Link((i,), (i,), 1.0) for i in range(min(n, m))]
    return links + [Link((i,), ()) for i in range(m, n)] + [Link((), (j,)) for j in range(n, m)]


@pytest.fixture
def aligner(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[list, list], list[Link]]], None]:
    """Replace mtqa.align.align (default: in order); call the fixture to set another one."""
    monkeypatch.setattr(mtqa.align, "align", in_order)
    return lambda fake: monkeypatch.setattr(mtqa.align, "align", fake)


def check(text: str, reference: str | None) -> Document:
    result = Checker(Config(model=False)).check(Document(path="t", text=text, reference=reference))
    assert isinstance(result, Document)
    return result


def test_metrics_and_signatures_when_a_reference_is_given(aligner: object) -> None:
    doc = check(FRENCH, REFERENCE)
    metrics = doc.reference_metrics
    assert metrics is not None
    assert 0 <= metrics["bleu"] <= 100 and 0 <= metrics["chrf"] <= 100
    assert metrics["ter"] >= 0  # edits per reference word: may exceed 100
    assert 0 < metrics["bleu"] < 100
    assert metrics["ter_coverage"] == 1.0
    signatures = metrics["signatures"]
    assert isinstance(signatures, dict)
    assert "tok:13a" in signatures["bleu"] and "nrefs:1" in signatures["bleu"]
    assert "nc:6" in signatures["chrf"] and "nw:0" in signatures["chrf"]
    assert "tok:tercom" in signatures["ter"]
    assert all("version:2." in s for s in signatures.values())


def test_nothing_without_a_reference(aligner: object) -> None:
    doc = check(FRENCH, None)
    assert doc.reference_metrics is None
    assert all(s.chrf is None and s.reference_spans == [] for s in doc.sentences)


def test_identical_reference_scores_perfectly(aligner: object) -> None:
    doc = check(FRENCH, FRENCH)
    metrics = doc.reference_metrics
    assert metrics is not None
    assert (metrics["bleu"], metrics["chrf"], metrics["ter"]) == (100.0, 100.0, 0.0)
    assert [s.chrf for s in doc.sentences] == [100.0] * len(doc.sentences)
    assert [s.reference_spans for s in doc.sentences] == [[(s.start, s.end)] for s in doc.sentences]


def test_two_french_sentences_against_one_reference_sentence(aligner: Callable) -> None:
    # French: 3 sentences (the first reference sentence is split in two); reference: 2.
    aligner(lambda src, tgt, ratio=1.0: [Link((0,), (0, 1), 0.9), Link((1,), (2,), 1.0)])
    doc = check(FRENCH, REFERENCE)
    first, second, third = doc.sentences
    ref_first = REFERENCE.split("\n")[0]
    assert first.reference_spans == second.reference_spans == [(0, len(ref_first))]
    assert first.chrf == second.chrf == sentence_chrf(f"{first.text} {second.text}", ref_first)
    assert 0 < first.chrf < 100
    assert third.chrf == 100.0


def test_unaligned_sentences_count_against_an_empty_counterpart(aligner: object) -> None:
    # The reference lacks the last sentence: it gets no chrF, and the document scores drop.
    doc = check(FRENCH, REFERENCE.split("\n")[0])
    assert doc.sentences[0].chrf is not None
    assert doc.sentences[-1].chrf is None and doc.sentences[-1].reference_spans == []
    metrics = doc.reference_metrics
    assert metrics is not None and metrics["segments"] == 3
    assert metrics["ter"] > 0


def test_ter_is_cut_into_pieces_within_a_budget() -> None:
    sentence = " ".join(f"mot{i}" for i in range(100))
    hyps, _, covered = _ter_pieces([(sentence, sentence)])
    assert all(len(h.split()) <= TER_PIECE_WORDS for h in hyps)
    assert " ".join(hyps) == sentence and covered == 100
    many = [(sentence, sentence)] * (2 * TER_MAX_WORDS // 100)
    hyps, _, covered = _ter_pieces(many)
    assert covered <= TER_MAX_WORDS and sum(len(h.split()) for h in hyps) == covered
    assert corpus_metrics(many)["ter_coverage"] == pytest.approx(0.5, abs=0.02)


def test_long_articles_are_scored_within_a_budget(aligner: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import mtqa.reference

    monkeypatch.setattr(mtqa.reference, "MAX_CHARS", 150)
    doc = check(FRENCH, FRENCH)
    metrics = doc.reference_metrics
    assert metrics is not None and 0 < metrics["coverage"] < 1
    assert doc.sentences[0].chrf == 100.0  # within the budget
    assert doc.sentences[-1].chrf is None  # beyond it
    # One line longer than the whole budget still gets document figures, over its prefix.
    line = "Le ministre a parlé " * 20
    doc = check(line, line)
    assert doc.reference_metrics is not None and doc.reference_metrics["bleu"] == 100.0
    assert 0 < doc.reference_metrics["coverage"] < 1 and doc.sentences[0].chrf is None


def test_json_report_holds_the_metrics_and_matches_the_schema(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "a1", "text": FRENCH, "reference": REFERENCE}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "a2", "text": FRENCH}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    proc = run_mtqa("check", "--no-model", "--format", "json", "--fail-on", "never", str(feed))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    with_ref, without = report["documents"]
    assert with_ref["reference"] == REFERENCE
    assert set(with_ref["reference_metrics"]) >= {"bleu", "chrf", "ter", "signatures"}
    aligned = [s for s in with_ref["sentences"] if s["chrf"] is not None]
    assert aligned, "no sentence was aligned with the reference"
    for s in aligned:
        for span in s["aligned_reference"]:
            assert REFERENCE[span["start"] : span["end"]] == span["text"]
    assert without["reference_metrics"] is None
    assert all(s["chrf"] is None for s in without["sentences"])


# ---------------------------------------------------------------------------- correlations


def test_pearson_known_values() -> None:
    assert pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) == pytest.approx(6 / 60**0.5)  # 0.7746
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert pearson([1], [2]) is None


def test_kendall_tau_b_known_values() -> None:
    # scipy.stats.kendalltau's documented example, with ties on both sides: -0.47140452079103173
    assert kendall_tau_b([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) == pytest.approx(-0.47140452079103173)
    # No ties: 8 concordant and 2 discordant pairs out of 10 gives tau = 0.6.
    assert kendall_tau_b([1, 2, 3, 4, 5], [3, 1, 2, 4, 5]) == pytest.approx(0.6)
    # Ties in y only: (nc - nd) / sqrt(6 * 5) with nc = 5, nd = 0.
    assert kendall_tau_b([1, 2, 3, 4], [1, 2, 2, 3]) == pytest.approx(5 / 30**0.5)
    assert kendall_tau_b([1, 2, 3], [5, 5, 5]) is None
    # The chunked computation does not depend on the chunk size.
    x, y = [i % 7 for i in range(50)], [(i * 3) % 11 for i in range(50)]
    assert kendall_tau_b(x, y, chunk=4) == pytest.approx(kendall_tau_b(x, y, chunk=1000))


class LengthScorer:
    """A stand-in QE model: longer sentences score lower (deterministic, no weights)."""

    id = "length"

    def score(self, doc: Document) -> list[Finding]:
        for s in doc.sentences:
            s.score = 1.0 / (1.0 + len(s.text) / 100)
        return []


DEVSET = [
    {"id": "d1", "mt_fr": REFERENCE.split("\n")[1], "errors": [], "ref_fr": REFERENCE.split("\n")[1]},
    {
        "id": "d2",
        "mt_fr": "Le ministre a déclaré que les pourparlers avaient été constructifs "
        "mais que les différences restaient restaient.",
        "errors": [{"phrase": "restaient restaient", "category": "garbled", "severity": "minor"}],
        "ref_fr": REFERENCE.split("\n")[0],
    },
    {
        "id": "d3",
        "mt_fr": "Les élections auront lieu en mai.",
        "errors": [],
        "ref_fr": "Le scrutin aura lieu en mai.",
    },
]


def test_eval_reports_the_correlation_on_a_devset(tmp_path: Path) -> None:
    devset = tmp_path / "devset.jsonl"
    devset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in DEVSET) + "\n", encoding="utf-8")
    ev = evaluate([devset], Checker(Config(model=False), scorer=LengthScorer()), with_source=False)
    assert len(ev.reference_chrf) == 3
    assert ev.reference_chrf[0][1] == 100.0
    line = next(x for x in format_evaluation(ev).splitlines() if x.startswith("QE score vs chrF"))
    assert "Pearson" in line and "Kendall" in line and "over 3 segments" in line
    # From the command line with the model off: the line is there and says why it is empty.
    proc = run_mtqa("eval", "--no-model", str(devset))
    assert proc.returncode == 0, proc.stderr
    assert "QE score vs chrF      n/a (no scores: the model is off)" in proc.stdout


def test_eval_reads_feeds_with_references(tmp_path: Path, aligner: object) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a1", "text": FRENCH, "reference": REFERENCE}) + "\n", encoding="utf-8")
    ev = evaluate([feed], Checker(Config(model=False), scorer=LengthScorer()))
    assert len(ev.reference_chrf) == 2  # in order: the third French sentence has no counterpart
    assert "over 2 segments" in format_evaluation(ev)


def test_correlation_line_without_references() -> None:
    assert "QE score vs chrF      n/a (no references)" in format_evaluation(Evaluation())


def run_mtqa(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "mtqa", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
