"""Property-based fuzzing of the whole pipeline, in the manner of the fuzzers that guard parsers.

French news text is mutated with what real pages and hostile inputs contain: runs of
punctuation, astral and combining characters, control characters, right-to-left text, HTML
fragments, unbalanced quotes, very long sentences and words; an English source is added
sometimes. Whatever comes in, the invariants hold: no exception, offsets in bounds and
consistent, sentences ordered, scores in [0, 1] or null, the same output twice, valid
schema-1 JSON, and escaped HTML.

CI runs a bounded, derandomised number of examples (the same ones every run);
``MTQA_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py`` runs many more, and
``MTQA_FUZZ_RANDOM=1`` lets Hypothesis explore new ones (it prints any failing example).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from timing import assert_linear

from mtqa.api import Checker, Run
from mtqa.config import Config
from mtqa.document import Document
from mtqa.report.html import render as render_html
from mtqa.report.json_report import to_dict

EXAMPLES = int(os.environ.get("MTQA_FUZZ_EXAMPLES", "50"))
RANDOM = bool(os.environ.get("MTQA_FUZZ_RANDOM"))
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "mtqa" / "report" / "schema-1.json").read_text())


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FRENCH = [
    "Le président a reçu mardi son homologue brésilien à l'Élysée.",
    "« Nous ne céderons pas », a déclaré la ministre, selon l’AFP.",
    "PARIS (AFP) – Les prix de l'énergie ont reculé de 2,5 % en octobre.",
    "Le Premier ministre s'est démissionné après le vote du Parlement.",
    "Le secrétaire d'État Blinken s'est rendu à Kiev lundi.",
    "Photo : Reuters",
    "Publié le 3 mars 2024 à 10h32",
    "Les troupes ont perdu le nombre face à l'ennemi, a-t-il dit.",
]
ENGLISH = [
    "The president hosted his Brazilian counterpart on Tuesday.",
    "Secretary of State Blinken flew to Kyiv on Monday.",
    "Energy prices fell 2.5% in October.",
]
NOISE = [
    *".!?…;:,«»“”\"'’()[]-–—/%$€#@*&<>",
    "\u0301",  # combining acute
    "\u200b\u200e\u200f\u202e\u2066\u2069\ufeff",  # zero-width, bidi controls, BOM
    "\x00\x01\x07\x1b\x7f\x85",  # control characters
    "😀🇫🇷𝔘𝕟𝕚",  # astral
    "שלום مرحبا",  # right-to-left scripts
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "&amp; &lt;b&gt; &#x27;",
    "\r\n",
    "\n\n",
    "\u2028",
    "\t",
    "\u00a0\u202f",
    "10 p.m.",
    "Mr ",
    "1,000.5",
]
LONG_MARKS = [".", "?", "!", "…", "!?", "«", "»", "“", '"', "(", ")", "-", " ", "'", "\n", ",", "«a "]


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, str | None]:
    parts = draw(st.lists(st.sampled_from(FRENCH), min_size=1, max_size=6))
    pieces: list[str] = []
    for part in parts:
        pieces.append(part)
        pieces.append(draw(st.sampled_from([" ", "\n", "  ", "\n\n", ""])))
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.integers(0, 5))
            if kind == 0:
                pieces.append(draw(st.sampled_from(NOISE)))
            elif kind == 1:
                pieces.append(draw(st.sampled_from(LONG_MARKS)) * draw(st.integers(2, 3000)))
            elif kind == 2:
                pieces.append(draw(st.text(min_size=1, max_size=40)))
            elif kind == 3:  # a very long sentence without a final mark
                pieces.append(
                    " ".join([draw(st.sampled_from(FRENCH)).rstrip(".")] * draw(st.integers(2, 40)))
                )
            elif kind == 4:  # a very long word
                pieces.append(draw(st.sampled_from(["a", "é", "anticonstitutionnel", "x1"])) * 600)
            else:
                pieces.append(draw(st.sampled_from(ENGLISH)))
    text = "".join(pieces)
    # Cut anywhere, including inside a pair of quotes or a surrogate-free astral character.
    if draw(st.booleans()):
        text = text[: draw(st.integers(1, max(1, len(text))))]
    source = draw(st.one_of(st.none(), st.sampled_from(ENGLISH), st.just(" ".join(ENGLISH))))
    return text, source


@functools.cache
def checker(model: bool) -> Checker:
    # No document language gate: the fuzzer wants every input to reach every check.
    return Checker(Config(model=model, min_french_share=0.0))


def check_invariants(model: bool, text: str, source: str | None) -> None:
    doc = checker(model).check(Document(path="fuzz", text=text, source=source))
    assert isinstance(doc, Document)
    previous_end = 0
    for i, s in enumerate(doc.sentences):
        assert s.index == i
        assert previous_end <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        previous_end = s.end
        assert s.score is None or 0.0 <= s.score <= 1.0
        if not model:
            assert s.score is None
        for f in s.findings:
            assert 0 <= f.start <= f.end <= len(text)
            assert text[f.start : f.end] == f.text
            assert s.start <= f.start
    assert doc.score is None or 0.0 <= doc.score <= 1.0

    run = Run(documents=[doc], config=checker(model).config)
    report = to_dict(run)
    jsonschema.validate(report, SCHEMA)
    json.dumps(report, ensure_ascii=False).encode("utf-8", "surrogatepass")

    again = checker(model).check(Document(path="fuzz", text=text, source=source))
    assert to_dict(Run(documents=[again], config=run.config)) == report

    page = render_html(run)
    assert "<script>alert" not in page and "onerror=" not in page.replace("onerror=&quot;", "")


@fuzz_settings(EXAMPLES)
@given(articles())
def test_rules_hold_their_invariants_on_any_text(article: tuple[str, str | None]) -> None:
    check_invariants(False, *article)


@fuzz_settings(max(10, EXAMPLES // 6))
@given(articles())
def test_model_holds_its_invariants_on_any_text(article: tuple[str, str | None]) -> None:
    check_invariants(True, *article)


# The agreement and capitals checks look back over a clause or a sentence: runs of their
# triggers, with no punctuation to end the clause, must stay linear.
AGREEMENT_RUNS = [
    "ils ont présentés les ",
    "qu'il a prises les ",
    "Le marché européen et les russes ",
    "Vladimir zelensky ",
]


@pytest.mark.parametrize("mark", [*LONG_MARKS, "Mr ", "10 p.m. ", "A ", "« a ", "( a ", *AGREEMENT_RUNS])
def test_checking_is_linear_in_runs_of_punctuation(mark: str) -> None:
    """Linear in the length of a run of the same mark (tests/timing.py)."""

    def text(n: int) -> str:
        return "Le ministre a dit " + mark * (n // len(mark)) + "x"

    checker(False).check(Document(path="warm", text=text(100)))
    check = lambda t: checker(False).check(Document(path="t", text=t))  # noqa: E731
    assert_linear(check, text(5_000), text(20_000), f"{mark!r} × 5,000 characters")
