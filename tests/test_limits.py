"""Resource limits and isolation (mtqa/limits.py): one input never exhausts time or memory,
and one bad article never loses the rest of a batch. Includes the reproducers of issue #8.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtqa import api, limits
from mtqa.api import Checker, check_text
from mtqa.checks import nonword, patterns
from mtqa.cli import app
from mtqa.config import Config
from mtqa.document import INTERNAL_ERROR, Document, InputFailure, Severity

RULES_ONLY = Config(model=False)
# A sentence longer than the model's window, with an English source (issue #8, defect 1).
LONG_SENTENCE = "Le ministre a dit que " + "la réforme des retraites, " * 30 + "sera adoptée."
LONG_SOURCE = "The minister said the reform would pass."
GOOD = "Le président a reçu mardi son homologue brésilien à l'Élysée pour parler du climat."


def test_a_sentence_longer_than_the_window_with_a_source_is_scored_without_it() -> None:
    doc = Checker().check(Document(path="x", text=LONG_SENTENCE, source=LONG_SOURCE))
    assert isinstance(doc, Document)
    [sentence] = doc.sentences
    assert sentence.model_input == "french-only"
    assert sentence.score is not None and 0.0 <= sentence.score <= 1.0


def test_a_short_pair_is_read_with_its_source() -> None:
    doc = Checker().check(Document(path="x", text=GOOD, source="The president met his Brazilian peer."))
    assert isinstance(doc, Document)
    assert doc.sentences[0].model_input == "with-source"


def test_a_sentence_longer_than_the_window_is_read_in_windows() -> None:
    text = "Le ministre a dit que " + "la réforme des retraites, " * 120 + "sera adoptée."
    doc = check_text(text)
    [sentence] = doc.sentences
    assert sentence.model_input is not None and sentence.model_input.startswith("windows: ")
    assert int(sentence.model_input.split(": ")[1]) >= 3
    assert sentence.score is not None and 0.0 <= sentence.score <= 1.0
    for f in doc.findings:
        assert text[f.start : f.end] == f.text


def test_windows_cover_the_sentence_and_cut_between_words() -> None:
    from mtqa.qe.scorer import _windows, load_scorer

    text = " ".join(f"mot{i}" for i in range(2000))
    offsets = load_scorer().token_offsets(text)
    spans = _windows(text, offsets, 100, 20)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (s1, e1), (s2, e2) in itertools.pairwise(spans):
        assert s1 < s2 <= e1 < e2  # overlapping, moving forward, no gap
        assert text[s2 - 1] == " "  # each window starts at a word
    assert len(spans) <= len(offsets) // (100 // 2 - 20) + 1


def test_a_sentence_over_the_model_limit_is_skipped_with_a_reason() -> None:
    text = "Le ministre a dit " + "que la réforme sera adoptée " * 400 + "hier."
    doc = check_text(text)
    [sentence] = doc.sentences
    assert sentence.score is None
    assert sentence.model_input is not None and sentence.model_input.startswith("skipped: ")
    assert str(limits.MODEL_MAX_SENTENCE_TOKENS) in sentence.model_input


def test_sentences_past_the_document_budget_keep_rules_but_no_score(monkeypatch: pytest.MonkeyPatch) -> None:
    import mtqa.qe.scorer as scorer

    monkeypatch.setattr(scorer, "MODEL_MAX_DOCUMENT_CHARS", len(GOOD) + 1)
    doc = check_text(GOOD + "\n" + "Le Premier ministre s'est démissionné mardi soir à Paris.")
    first, second = doc.sentences
    assert first.score is not None and first.model_input == "french-only"
    assert second.score is None and second.model_input is not None and "skipped" in second.model_input
    assert any(f.rule == "MTQA401" for f in second.findings)


def test_a_feed_with_a_long_sentence_in_its_middle_is_fully_reported(tmp_path: Path) -> None:
    """Issue #8's acceptance test: a 300-word sentence with a source in the middle record."""
    long = "Le ministre a dit que " + " ".join(["la réforme des retraites"] * 75) + " sera adoptée."
    assert len(long.split()) >= 300
    feed = tmp_path / "feed.jsonl"
    records = [
        {"id": "a", "text": GOOD, "source": "The president met his Brazilian peer."},
        {"id": "b", "text": long, "source": LONG_SOURCE},
        {
            "id": "c",
            "text": "Le Premier ministre s'est démissionné mardi.",
            "source": "The PM flew on Tuesday.",
        },
    ]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(feed), "--format", "json"])
    assert result.exit_code == 1, result.output  # record c holds a major finding
    report = json.loads(result.stdout)
    assert [d["path"].rsplit("#", 1)[1] for d in report["documents"]] == ["a", "b", "c"]
    assert report["errors"] == []
    assert all(s["score"] is not None for d in report["documents"] for s in d["sentences"])


def test_runs_of_final_marks_are_one_candidate() -> None:
    """Issue #8, defect 2: the segmenter no longer restarts inside a run of marks."""
    for mark in (".", "?", "!", "…", "!?"):
        doc = check_text("Le ministre a dit " + mark * 20_000 + " Puis il est parti.", RULES_ONLY)
        assert [s.text for s in doc.sentences] == ["Le ministre a dit " + mark * 20_000, "Puis il est parti."]


def test_requires_and_unless_run_once_per_rule_and_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #8: '10 p.m.' 4,000 times in one sentence tests MTQA707's context once, not 4,000 times."""
    calls: list[str] = []
    original = patterns._context_allows

    def counting(c: patterns.CompiledRule, sentence: str) -> bool:
        calls.append(c.rule.code)
        return original(c, sentence)

    monkeypatch.setattr(patterns, "_context_allows", counting)
    doc = check_text("Le ministre a dit " + "10 p.m. " * 4000, RULES_ONLY)
    assert len(doc.sentences) == 1
    assert calls.count("MTQA707") == 1
    assert max(calls.count(code) for code in set(calls)) == 1


def test_first_character_prefilter_matches_exactly_what_the_rule_matches() -> None:
    import re
    import re._parser

    for pattern, flags in [
        (r"(?<![\w])(?:(?:prendre|pris)\s+place)(?![\w])", re.IGNORECASE),
        (r"(?<![\w])(?:(?=Kyiv)(?<!\bthe\s)Kyiv)(?![\w])", 0),
        (r"(?<![\w])(?:(?:en\s+)?Chypre)(?![\w])", 0),
        (r"(?<![\w])(?:\d{1,2}\s?p\.m\.)(?![\w])", 0),
    ]:
        plain = re.compile(pattern, flags)
        fast = re.compile(patterns._with_first_chars(pattern, re._parser.parse(pattern, flags)), flags)
        assert fast.pattern != plain.pattern  # each of these has a computable first character
        text = "Ils ont pris place à Kyiv, en Chypre, à 10 p.m. ; PRENDRE PLACE ; the Kyiv ; xpris place."
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    # A pattern that can start with any character is left as it was.
    anything = r"(?<![\w])(?:.x)(?![\w])"
    assert patterns._with_first_chars(anything, re._parser.parse(anything)) == anything


def test_findings_beyond_the_limit_become_one_summary_finding() -> None:
    text = "Le ministre a dit. " + "Mr Smith a dit. " * 600 + "Le Premier ministre s'est démissionné mardi."
    doc = check_text(text, RULES_ONLY)
    found = doc.findings
    assert len(found) == limits.MAX_FINDINGS_PER_DOCUMENT + 1
    [summary] = [f for f in found if f.rule == api.TOO_MANY_FINDINGS]
    assert "101 autres signalements" in summary.message
    assert summary.text == text[summary.start : summary.end]
    # The most severe findings are the ones kept.
    assert any(f.rule == "MTQA401" and f.severity == Severity.MAJOR for f in found)


def test_a_very_long_word_is_not_looked_up() -> None:
    assert not nonword.is_unknown("a" * (limits.MAX_WORD_CHARS + 1))
    doc = check_text("Le ministre a dit " + "anticonstitutionnel" * 5000 + " hier.", RULES_ONLY)
    assert len(doc.sentences) == 1


def _explode_on(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make checking fail, as a bug would, on documents that contain ``marker``."""
    original = Checker.check

    def check(self: Checker, doc: Document) -> Document | InputFailure:
        if marker in doc.text:
            raise RuntimeError("boom\nsecond line")
        return original(self, doc)

    monkeypatch.setattr(Checker, "check", check)


def test_an_internal_error_loses_only_its_document(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _explode_on("BOUM", monkeypatch)
    for name, text in [("a.txt", GOOD), ("b.txt", "Le ministre a dit BOUM hier soir."), ("c.txt", GOOD)]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = Checker(RULES_ONLY).check_all([str(tmp_path)])
    assert [Path(d.path).name for d in run.documents] == ["a.txt", "c.txt"]
    [failure] = run.failures
    assert failure.code == INTERNAL_ERROR and Path(failure.path).name == "b.txt"
    assert "\n" not in failure.message and "RuntimeError: boom second line" in failure.message


@pytest.mark.parametrize("fmt", ["terminal", "json", "html"])
def test_cli_reports_the_other_inputs_and_exits_2(
    fmt: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _explode_on("BOUM", monkeypatch)
    feed = tmp_path / "feed.jsonl"
    texts = [
        GOOD,
        "Le ministre a dit BOUM hier soir.",
        "La ministre a annoncé un plan pour l'hôpital public.",
    ]
    feed.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)))
    result = CliRunner().invoke(app, ["check", "--no-model", "--format", fmt, str(feed)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("mtqa: error: ") and "feed.jsonl#1" in line and "internal error" in line
    if fmt == "json":
        report = json.loads(result.stdout)
        assert [d["path"] for d in report["documents"]] == [f"{feed}#0", f"{feed}#2"]
        assert report["errors"][0]["code"] == INTERNAL_ERROR
    else:
        assert "l'hôpital" in result.stdout or "l&#x27;hôpital" in result.stdout or fmt == "terminal"


def test_cli_stdin_isolation_and_debug_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    _explode_on("BOUM", monkeypatch)
    feed = "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate([GOOD, "BOUM ici."]))
    result = CliRunner().invoke(app, ["check", "--no-model", "--format", "json", "-"], input=feed)
    assert result.exit_code == 2 and len(json.loads(result.stdout)["documents"]) == 1
    assert "Traceback" not in result.stderr
    debug = CliRunner().invoke(app, ["check", "--no-model", "--debug", "-"], input=feed)
    assert debug.exit_code == 2 and "Traceback" in debug.stderr and "RuntimeError: boom" in debug.stderr


@pytest.mark.parametrize("field", ["pattern", "requires", "unless"])
def test_a_rule_whose_regex_cannot_compile_fails_at_load_naming_the_rule(field: str) -> None:
    """Regexes are compiled lazily when checking, but each is compiled once at load too."""
    from mtqa.checks.rulebook import Rule
    from mtqa.document import Severity

    regexes = {"pattern": "zorglub", "requires": None, "unless": None, field: "zorglub ("}
    rule = Rule("MTQA998", "broken", "grammar", Severity.MINOR, "m", "d", file="test.yaml", **regexes)
    with pytest.raises(ValueError, match=r"test\.yaml: rule MTQA998: bad pattern"):
        patterns.compile_rules([rule])
