"""The French sentence splitter: boundaries, kinds, paragraphs and offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from timing import assert_linear

from mtqa.document import SegmentKind, Sentence
from mtqa.segment import ABBREVIATIONS, segment

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def texts(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def check_offsets(text: str, sentences: list[Sentence]) -> None:
    for i, s in enumerate(sentences):
        assert s.index == i
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text


# --- boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il pleut. Le match est reporté.", ["Il pleut.", "Le match est reporté."]),
        ("Vraiment ? Oui !", ["Vraiment ?", "Oui !"]),
        ("Quelle victoire ! Ensuite, la fête.", ["Quelle victoire !", "Ensuite, la fête."]),
        ("Et puis… Rien.", ["Et puis…", "Rien."]),
        ("Et puis... Rien.", ["Et puis...", "Rien."]),
        ("Le bilan s'alourdit. 12 morts sont recensés.", ["Le bilan s'alourdit.", "12 morts sont recensés."]),
        ("Il a parlé. « Jamais », a-t-il dit.", ["Il a parlé.", "« Jamais », a-t-il dit."]),
        ("Il a parlé. “Jamais”, a-t-il dit.", ["Il a parlé.", "“Jamais”, a-t-il dit."]),
        ('Il a parlé. "Jamais", a-t-il dit.', ["Il a parlé.", '"Jamais", a-t-il dit.']),
        ("La séance est levée. — Bien.", ["La séance est levée.", "— Bien."]),
        ("La séance est levée. – Bien.", ["La séance est levée.", "– Bien."]),
        ("Il est parti (enfin.) Le calme revient.", ["Il est parti (enfin.)", "Le calme revient."]),
        ("Il a dit « c'est fini. » Le silence suit.", ["Il a dit « c'est fini. »", "Le silence suit."]),
        ("Il a dit « c'est fini ! » Le silence suit.", ["Il a dit « c'est fini ! »", "Le silence suit."]),
        ('Il a dit "fini." Le silence suit.', ['Il a dit "fini."', "Le silence suit."]),
        ("Il pleut.\u00a0Le match est reporté.", ["Il pleut.", "Le match est reporté."]),
        ("À Paris. Élysée en vue.", ["À Paris.", "Élysée en vue."]),
        ("Selon l'ONU. © AFP / Photo", ["Selon l'ONU.", "© AFP / Photo"]),
    ],
)
def test_splits(text: str, expected: list[str]) -> None:
    sentences = segment(text)
    assert [s.text for s in sentences] == expected
    check_offsets(text, sentences)


@pytest.mark.parametrize(
    "text",
    [
        "M. Dupont est arrivé.",
        "MM. Dupont et Durand sont arrivés.",
        "Mme. Martin et Mlle. Roux sont là.",
        "Le Dr. House et le Pr. Tournesol sont là.",
        "Me. Vergès plaide.",
        "La rue St. Denis et la Ste. Chapelle.",
        "Voir cf. Chapitre 3 pour le détail.",
        "Voir p. 12 et pp. 14-16 du rapport.",
        "Le tome vol. II est paru.",
        "Le décret n° 12 et le no. 13 sont publiés.",
        "Selon art. L. 121-1 du code.",
        "L’économie d’U.S. Steel progresse.",
        "Né en 52 av. J.-C. Dans la Gaule.",
        "Mort en 14 apr. J.-C. À Nole.",
        "Il a vu env. 300 personnes.",
        "Le 3 janv. 2024 et le 4 févr. 2024.",
        "Les 2 avr. 2024, 5 juil. 2024, 6 sept. 2024, 7 oct. 2024 et 8 déc. 2024.",
        "Il l'a dit le 13 nov. 2024 à Bruxelles.",
        "Martin Luther King Jr. Et Frank Sinatra Sr. Aussi.",
        "Le Gén. De Gaulle, le Col. Dupont et le Lt. Martin.",
        "Dupont et Cie. Ils ont racheté Apple Inc. Et Acme Ltd. Puis Big Corp. Le tout.",
        "L'économie des U.S. Est en forme.",
        "J. Dupont a signé.",
        "L'U.E. Défend ses intérêts.",
        "Il est arrivé à 10 a.m. Comme prévu.",
        "Mr. Biden a parlé.",
    ],
)
def test_abbreviations_do_not_split(text: str) -> None:
    assert texts(text) == [text]


def test_abbreviation_list_is_a_frozenset() -> None:
    assert isinstance(ABBREVIATIONS, frozenset)
    assert {"M", "Mme", "cf", "av", "apr", "Inc"} <= ABBREVIATIONS
    assert "etc" not in ABBREVIATIONS


def test_etc_ends_a_sentence_before_a_capital() -> None:
    assert texts("Des pommes, des poires, etc. Tout y était.") == [
        "Des pommes, des poires, etc.",
        "Tout y était.",
    ]


def test_capitalised_abbreviation_matches_only_as_written() -> None:
    # "Col." is a title, "col." a mountain pass that can end a sentence.
    assert texts("Ils ont franchi le col. Le lendemain, repos.") == [
        "Ils ont franchi le col.",
        "Le lendemain, repos.",
    ]


def test_lowercase_abbreviation_matches_any_case() -> None:
    assert texts("Cf. Annexe 2. Voir aussi CF. Plus loin.") == [
        "Cf. Annexe 2.",
        "Voir aussi CF. Plus loin.",
    ]


def test_month_abbreviation_only_before_a_number() -> None:
    assert texts("Ils étaient sept. Le lendemain, six.") == ["Ils étaient sept.", "Le lendemain, six."]
    assert texts("Il est arrivé le 3 janv. Le lendemain, il repartait.") == [
        "Il est arrivé le 3 janv.",
        "Le lendemain, il repartait.",
    ]


def test_word_ending_like_an_abbreviation_still_splits() -> None:
    # "l’art" is not the abbreviation "art.".
    assert texts("Il aime l’art. Le musée ouvre.") == ["Il aime l’art.", "Le musée ouvre."]
    assert texts("Il aime l'art. Le musée ouvre.") == ["Il aime l'art.", "Le musée ouvre."]


@pytest.mark.parametrize(
    "text",
    [
        "Le déficit atteint 1,5 % du PIB.",
        "La croissance est de 5.4 points.",
        "Plus de 1 000 km de front.",
        "Le gouvernement a utilisé le 49.3 hier.",
        "Rendez-vous le 12.05.2024 à Paris.",
        "Voir www.lemonde.fr pour la suite.",
    ],
)
def test_numbers_do_not_split(text: str) -> None:
    assert texts(text) == [text]


def test_numbered_list_item_is_not_a_sentence_of_its_own() -> None:
    assert texts("1. Le premier point est réglé.") == ["1. Le premier point est réglé."]


@pytest.mark.parametrize(
    "text",
    [
        "« Nous avons gagné. Maintenant, au travail », a-t-il dit.",
        "« Nous avons gagné ! Maintenant, au travail », a-t-il dit.",
        "“Nous avons gagné. Maintenant, au travail”, a-t-il dit.",
        '"Nous avons gagné. Maintenant, au travail", a-t-il dit.',
        "Il a dit : « Un. « Deux. » Trois », puis il est parti.",
    ],
)
def test_marks_inside_a_running_quotation_do_not_split(text: str) -> None:
    assert texts(text) == [text]


def test_unbalanced_quote_is_ignored() -> None:
    text = "« Nous avons gagné. Maintenant, au travail. Demain aussi."
    assert texts(text) == ["« Nous avons gagné.", "Maintenant, au travail.", "Demain aussi."]


def test_odd_number_of_straight_quotes_is_ignored() -> None:
    assert texts('Un écran de 27" suffit. Le prix baisse.') == ['Un écran de 27" suffit.', "Le prix baisse."]


def test_quote_closed_on_the_line_does_not_leak_into_the_next_sentence() -> None:
    text = "« Nous avons gagné », dit-il. Le public applaudit. « Bravo », crie-t-on."
    assert texts(text) == ["« Nous avons gagné », dit-il.", "Le public applaudit.", "« Bravo », crie-t-on."]


@pytest.mark.parametrize(
    "text",
    [
        "Il hésita… puis il partit.",
        "Il hésita... puis il partit.",
        "Ah ! mon Dieu, quelle histoire.",
        "« Pourquoi ? » demanda-t-il.",
        "Il a dit. officiellement, rien.",
    ],
)
def test_no_split_before_a_lowercase_word(text: str) -> None:
    assert texts(text) == [text]


# --- lines and paragraphs -----------------------------------------------------------------


def test_blank_lines_and_single_newlines_both_start_paragraphs() -> None:
    text = "Un. Deux.\nTrois.\n\n  \nQuatre."
    sentences = segment(text)
    assert [(s.text, s.paragraph) for s in sentences] == [
        ("Un.", 0),
        ("Deux.", 0),
        ("Trois.", 1),
        ("Quatre.", 2),
    ]
    check_offsets(text, sentences)


def test_sentence_never_crosses_a_newline() -> None:
    text = "Le ministre a déclaré\nque rien n'était tranché."
    assert texts(text) == ["Le ministre a déclaré", "que rien n'était tranché."]


def test_crlf_offsets_are_offsets_into_the_original_text() -> None:
    text = "Titre\r\n\r\nIl pleut. Le match est reporté.\r\n \r\nFin du texte.\r\n"
    sentences = segment(text)
    check_offsets(text, sentences)
    assert [(s.text, s.paragraph, s.kind) for s in sentences] == [
        ("Titre", 0, SegmentKind.HEADLINE),
        ("Il pleut.", 1, SegmentKind.SENTENCE),
        ("Le match est reporté.", 1, SegmentKind.SENTENCE),
        ("Fin du texte.", 2, SegmentKind.SENTENCE),
    ]
    assert sentences[1].start == text.index("Il pleut.")


def test_surrounding_whitespace_is_not_part_of_a_sentence() -> None:
    text = "   Il pleut.   Le vent souffle.\t  \n"
    sentences = segment(text)
    assert [s.text for s in sentences] == ["Il pleut.", "Le vent souffle."]
    check_offsets(text, sentences)


def test_empty_text_has_no_sentences() -> None:
    assert segment("") == []
    assert segment(" \n\r\n\t ") == []


# --- kinds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Blinken à Bruxelles alors que l’Ukraine fait face à l’incertitude",
        "Laisser un commentaire",
        "Milos Schmidt",
        "Photo : AFP",
        "sept + vingt =",
    ],
)
def test_line_without_final_punctuation_is_a_headline(line: str) -> None:
    sentences = segment(line)
    assert [(s.text, s.kind) for s in sentences] == [(line, SegmentKind.HEADLINE)]


@pytest.mark.parametrize(
    "line",
    [
        "Le match est reporté.",
        "Le match est-il reporté ?",
        "Quelle victoire !",
        "Et ensuite…",
        "« C'est fini. »",
        "Il a dit « c'est fini ! »",
        "(Le match est reporté.)",
    ],
)
def test_line_with_final_punctuation_is_a_sentence(line: str) -> None:
    assert [s.kind for s in segment(line)] == [SegmentKind.SENTENCE]


def test_last_segment_of_a_longer_line_is_not_a_headline() -> None:
    kinds = [s.kind for s in segment("Il pleut. Lire aussi")]
    assert kinds == [SegmentKind.SENTENCE, SegmentKind.SENTENCE]


@pytest.mark.parametrize(
    ("line", "dateline", "rest"),
    [
        ("JAKARTA - Le secrétaire d’État est arrivé.", "JAKARTA -", "Le secrétaire d’État est arrivé."),
        ("PARIS (AFP) – Le gouvernement a tranché.", "PARIS (AFP) –", "Le gouvernement a tranché."),
        ("LONDRES (Reuters) — La livre recule.", "LONDRES (Reuters) —", "La livre recule."),
        ("WASHINGTON (AP) - Le Sénat vote.", "WASHINGTON (AP) -", "Le Sénat vote."),
        ("RIO DE JANEIRO, 3 mars (Reuters) - Le carnaval commence.", "RIO DE JANEIRO, 3 mars (Reuters) -",
         "Le carnaval commence."),
        ("SAINT-ÉTIENNE - Le club s'impose.", "SAINT-ÉTIENNE -", "Le club s'impose."),
        ("BRUXELLES, 13 nov. 2024 (AFP) - Les ministres se réunissent.", "BRUXELLES, 13 nov. 2024 (AFP) -",
         "Les ministres se réunissent."),
    ],
)  # fmt: skip
def test_leading_dateline_is_its_own_segment(line: str, dateline: str, rest: str) -> None:
    sentences = segment(line)
    assert [(s.text, s.kind) for s in sentences] == [
        (dateline, SegmentKind.DATELINE),
        (rest, SegmentKind.SENTENCE),
    ]
    check_offsets(line, sentences)
    assert sentences[0].paragraph == sentences[1].paragraph


def test_dateline_only_at_the_start_of_a_line() -> None:
    text = "Il pleut.\nPARIS - Le match est reporté. Le public rentre."
    sentences = segment(text)
    assert [s.kind for s in sentences] == [
        SegmentKind.SENTENCE,
        SegmentKind.DATELINE,
        SegmentKind.SENTENCE,
        SegmentKind.SENTENCE,
    ]
    assert sentences[1].text == "PARIS -"
    check_offsets(text, sentences)


@pytest.mark.parametrize(
    "line",
    [
        "Paris - Le match est reporté.",  # not in capitals
        "L'OTAN se réunit - enfin.",  # dash mid-sentence
        "PARIS-Le match est reporté.",  # no spaces around the dash
    ],
)
def test_not_a_dateline(line: str) -> None:
    assert SegmentKind.DATELINE not in [s.kind for s in segment(line)]


# --- the seed articles -----------------------------------------------------------------------


def seed(prefix: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found in {SEEDS}")
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"no seed {prefix}_*.txt in {SEEDS}")
    return matches[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_seed_offsets(prefix: str) -> None:
    text = seed(prefix)
    sentences = segment(text)
    assert sentences
    check_offsets(text, sentences)
    assert [s.paragraph for s in sentences] == sorted(s.paragraph for s in sentences)


def test_seed_000_dateline() -> None:
    sentences = segment(seed("000"))
    assert sentences[0].kind is SegmentKind.HEADLINE
    datelines = [s for s in sentences if s.kind is SegmentKind.DATELINE]
    assert [s.text for s in datelines] == ["JAKARTA -"]
    following = sentences[datelines[0].index + 1]
    assert following.text.startswith("Le secrétaire") and following.paragraph == datelines[0].paragraph


def test_seed_001_caption_with_nov_date_is_one_sentence() -> None:
    text = seed("001")
    caption = next(line for line in text.splitlines() if line.startswith("United States Secretary of State"))
    assert caption.endswith("Nov. 13, 2024.")
    assert caption in texts(text)


def test_seed_001_multi_sentence_quote_stays_whole() -> None:
    quoted = [s for s in texts(seed("001")) if s.startswith("«\u00a0Nous avons récemment")]
    assert len(quoted) == 1 and quoted[0].endswith("a-t-il déclaré.")


# --- speed ---------------------------------------------------------------------------------------


# Linear, not fast (tests/timing.py). The speed itself is measured by
# benchmarks/rules_throughput.py and benchmarks/hostile_inputs.py.
def test_segmenting_news_is_linear_in_its_length() -> None:
    paragraph = (
        "PARIS (AFP) – M. Dupont, né en 52 av. J.-C., a dit : « Nous avons gagné. Maintenant, au travail », "
        "a-t-il déclaré le 13 nov. 2024. Le déficit atteint 5,4 % et 1 000 km… Vraiment ? Oui !\n\n"
        "Un titre sans point\n"
    )
    text = paragraph * (1_000_000 // len(paragraph) + 1)
    assert len(segment(text)) > 25_000
    assert_linear(segment, text[: len(text) // 4], text, "segmenting 250 kB")


def test_long_line_without_spaces_is_linear() -> None:
    def text(n: int) -> str:
        return "a." * n + " Fin." + " X." * (n // 5)

    assert_linear(segment, text(125_000), text(500_000), "a line without spaces")
