"""The terminal report: flagged sentences with their findings, the English each one
translates when the source was aligned, the source sentences left out, and the summary.
Documents are built by hand, so these tests do not depend on the aligner."""

from __future__ import annotations

from mtqa.api import Run
from mtqa.document import Document, Finding, SegmentKind, Sentence, Severity
from mtqa.report import renderer
from mtqa.report.terminal import render

FR = [
    "Le ministre est arrivé mardi.",
    "Il s'est démissionné le soir même.",
    "La réunion a duré deux heures.",
]
EN = [
    "The minister arrived\non Tuesday.",  # a line break inside a sentence
    "He resigned that evening.",
    "Aides [bold]denied[/bold] it.",  # Rich markup must print as text
    "The meeting lasted two hours.",
    "More talks are planned.",
]


def document(*, with_source: bool) -> Document:
    """Three French sentences, the second flagged; with the source, sentence 2 translates
    EN[1] and EN[2] (a 2-1 link), sentence 3 translates EN[3], and EN[4] is omitted."""
    text = " ".join(FR) + "\n"
    sentences, pos = [], 0
    for i, sentence in enumerate(FR):
        sentences.append(Sentence(i, pos, pos + len(sentence), sentence, 0, SegmentKind.SENTENCE))
        pos += len(sentence) + 1
    a = text.index("s'est démissionné")
    sentences[1].findings.append(
        Finding(
            "MTQA401",
            "grammar",
            Severity.MAJOR,
            a,
            a + 17,
            text[a : a + 17],
            "pronominal",
            ("a démissionné",),
        )
    )
    doc = Document("t.txt", text, sentences=sentences)
    if with_source:
        doc.source = " ".join(EN)
        spans, pos = [], 0
        for sentence in EN:
            spans.append((pos, pos + len(sentence)))
            pos += len(sentence) + 1
        sentences[0].source_spans = [spans[0]]
        sentences[1].source_spans = [spans[1], spans[2]]
        sentences[2].source_spans = [spans[3]]
        doc.unaligned_source = [spans[4]]
    return doc


def test_renderer_knows_terminal() -> None:
    assert renderer("terminal") is render


def test_without_a_source_the_output_is_unchanged() -> None:
    out = render(Run(documents=[document(with_source=False)]))
    assert out.splitlines() == [
        "t.txt  fail",
        "  [2] Il s'est démissionné le soir même.",
        "      MTQA401 majeur · grammar: pronominal",
        "      → a démissionné",
        "",
        "1 document(s) · 3 sentence(s), 1 flagged · findings: 1 major",
    ]


def test_a_source_without_alignment_changes_nothing() -> None:
    plain = document(with_source=False)
    unaligned = document(with_source=False)
    unaligned.source = " ".join(EN)
    assert render(Run(documents=[unaligned])) == render(Run(documents=[plain]))


def test_flagged_sentences_show_their_english_and_omissions_are_listed() -> None:
    out = render(Run(documents=[document(with_source=True)]), width=200)
    assert out.splitlines() == [
        "t.txt  fail",
        "  [2] Il s'est démissionné le soir même.",
        "      EN He resigned that evening. Aides [bold]denied[/bold] it.",
        "      MTQA401 majeur · grammar: pronominal",
        "      → a démissionné",
        "  Omis dans la traduction (1) :",
        "      EN More talks are planned.",
        "",
        "1 document(s) · 3 sentence(s), 1 flagged · findings: 1 major",
    ]


def test_omissions_are_listed_even_without_flagged_sentences() -> None:
    doc = document(with_source=True)
    doc.sentences[1].findings.clear()
    lines = render(Run(documents=[doc])).splitlines()
    assert lines[1:4] == ["  Omis dans la traduction (1) :", "      EN More talks are planned.", ""]
    assert "EN The minister" not in "\n".join(lines)  # unflagged sentences stay silent


def test_english_is_dim_in_colour() -> None:
    out = render(Run(documents=[document(with_source=True)]), color=True, width=200)
    (line,) = [line for line in out.splitlines() if "He resigned" in line]
    assert line.startswith("\x1b[2m") and "EN He resigned" in line


def test_quiet_prints_only_the_summary() -> None:
    out = render(Run(documents=[document(with_source=True)]), quiet=True)
    assert out.splitlines() == ["1 document(s) · 3 sentence(s), 1 flagged · findings: 1 major"]
