"""The quantity checks against the source (MTQA005-MTQA010) and « si » + future (MTQA403):
their suggestions, the cases the rule examples do not cover, and no false alarm on the
correct translations the model is trained on."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from mtqa.api import Checker
from mtqa.checks.quantities import QUANTITY_CHECKS
from mtqa.checks.rulebook import rule
from mtqa.config import Config
from mtqa.document import Document, InputFailure

DATA = Path(__file__).resolve().parents[1] / "models" / "data"


@functools.cache
def checker() -> Checker:
    return Checker(Config(min_french_share=0.0, model=False))


def found(fr: str, en: str | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    doc = checker().check(Document("t", fr, source=en))
    assert not isinstance(doc, InputFailure)
    return [(f.rule, f.text, f.suggestions) for f in doc.findings]


def test_percentage_points_suggest_points() -> None:
    hits = found(
        "Le taux a augmenté de trois pour cent pour atteindre 24 %.",
        "It rose by three percentage points to 24%.",
    )
    assert hits == [("MTQA005", "trois pour cent", ("trois points de pourcentage", "trois points"))]


def test_quarter_point_written_as_per_cent() -> None:
    hits = found(
        "La Fed a réduit son taux d'un quart de pour cent.",
        "The Fed cut rates by a quarter of a percentage point.",
    )
    assert [(c, t) for c, t, _ in hits] == [("MTQA005", "un quart de pour cent")]


def test_unit_swap_suggests_conversion_and_kept_unit() -> None:
    hits = found(
        "La comète passera à 2 millions de kilomètres.", "The comet will pass within 2 million miles."
    )
    assert hits == [
        ("MTQA006", "2 millions de kilomètres", ("3,2 millions de kilomètres", "2 millions de miles"))
    ]


def test_unit_swap_is_not_left_to_the_bare_number() -> None:
    """MTQA001 accepts « 25 » since the source has 25; the unit check must still flag it."""
    hits = found("Le sol s'enfonce de 25 pouces par an.", "The ground is sinking by 25 centimetres a year.")
    assert [c for c, _, _ in hits] == ["MTQA006"]


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("La comète passera à 3 millions de kilomètres.", "The comet will pass within 2 million miles."),
        ("Des rafales à 160 km/h.", "Gusts of 100 mph."),
        ("Un mur de 2 mètres.", "A 6-foot wall."),
        ("Il faisait 38 °C.", "It was 100F."),
    ],
)
def test_rounded_conversions_pass(fr: str, en: str) -> None:
    assert not [h for h in found(fr, en) if h[0] == "MTQA006"]


def test_factor_reversal_and_more_than_doubled() -> None:
    assert [c for c, _, _ in found("Les ventes ont doublé.", "Sales tripled.")] == ["MTQA007"]
    assert found("Les ventes ont plus que doublé.", "Sales more than doubled.") == []


def test_ratio_suggestion_keeps_the_words() -> None:
    hits = found("Une femme sur deux est touchée.", "One in three women is affected.")
    assert hits == [("MTQA008", "Une femme sur deux", ("Une femme sur trois",))]


def test_equal_ratio_written_differently_passes() -> None:
    assert found("Deux entreprises sur dix ont fermé.", "One in five firms closed.") == []


def test_span_and_score() -> None:
    hits = found(
        "La mer montera d'un mètre d'ici la fin de la décennie.",
        "The sea will rise one metre by the end of the century.",
    )
    assert [(c, t) for c, t, _ in hits] == [("MTQA009", "décennie")]
    assert [(c, t) for c, t, _ in found("Victoire 24-28.", "A 28-24 win.")] == [("MTQA010", "24-28")]
    assert found("Le mandat 2020-2024.", "The 2024-2020 term.") == []


@pytest.mark.parametrize(
    "fr",
    [
        "Si aucun candidat n'obtiendra la majorité, un second tour aura lieu.",
        "« S'ils voteraient contre, le texte tomberait », a-t-il dit.",
    ],
)
def test_si_future_flagged(fr: str) -> None:
    assert "MTQA403" in {c for c, _, _ in found(fr)}


@pytest.mark.parametrize(
    "fr",
    [
        "Reste à savoir si le texte sera adopté.",
        "Le ministre se demande, et personne ne sait, si la réforme passera.",
        "On ignore quand il partira et s'il reviendra.",
        "Si le texte est adopté, il entrera en vigueur en mai.",
        "Si bien qu'il faudra attendre.",
        "Si les électeurs qui voteront dimanche le soutiennent, il gagnera.",
    ],
)
def test_si_future_spared(fr: str) -> None:
    assert "MTQA403" not in {c for c, _, _ in found(fr)}


def test_no_false_alarm_on_clean_pairs() -> None:
    pairs = [json.loads(line) for path in sorted(DATA.glob("clean_pairs_*.jsonl")) for line in path.open()]
    if not pairs:
        pytest.skip("no clean pairs")
    flagged = []
    for pair in pairs:
        doc = Document("t", pair["fr"], source=pair["en"])
        for code, check in QUANTITY_CHECKS.items():
            flagged += [(code, f.text, pair["en"]) for f in check(rule(code), doc)]
    assert flagged == []
