"""Agreement and capitals checks (MTQA406-409, MTQA411-412, MTQA594-595): the fixes they suggest, and
readings of the lexicon that must keep them quiet. The rules' own examples run in
test_rule_examples.py; these cases cover what examples cannot show (suggestions)."""

from __future__ import annotations

import functools

import pytest

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document

CODES = ("MTQA406", "MTQA407", "MTQA408", "MTQA409", "MTQA411", "MTQA412", "MTQA594", "MTQA595")


@functools.cache
def checker() -> Checker:
    return Checker(Config(model=False, min_french_share=0.0))


def found(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    doc = checker().check(Document("t", text))
    assert isinstance(doc, Document)
    return [(f.rule, f.text, f.suggestions) for f in doc.findings if f.rule in CODES]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cette accord a été signé.", ("MTQA406", "Cette accord", ("Cet accord",))),
        ("Il a visité la hôpital.", ("MTQA406", "la hôpital", ("l’hôpital", "le hôpital"))),
        ("Elle parle de sa projet.", ("MTQA406", "sa projet", ("son projet",))),
        ("Ils ont prises des notes.", ("MTQA407", "ont prises", ("ont pris",))),
        ("Elles sont venu à Paris.", ("MTQA408", "sont venu", ("sont venus", "sont venues"))),
        ("Les élus appellent les allemands à voter.", ("MTQA594", "allemands", ("Allemands",))),
        ("Comme il l'ont fait en 2019.", ("MTQA411", "il l'ont", ("ils l'ont", "il l'a"))),
        ("Elles a porté plainte.", ("MTQA411", "Elles a", ("Elle a", "Elles ont"))),
        ("On leur ont promis un stade.", ("MTQA411", "On leur ont", ("On leur a",))),
        ("Le maire se réjoui du vote.", ("MTQA412", "se réjoui", ("s'est réjoui",))),
        ("La ministre s’excusée hier.", ("MTQA412", "s’excusée", ("s’est excusée",))),
        ("Les élus s'excusés du retard.", ("MTQA412", "s'excusés", ("se sont excusés",))),
    ],
)
def test_the_fix_agrees(text: str, expected: tuple[str, str, tuple[str, ...]]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Il les a reçues hier, puis il leur a envoyé une réponse.",  # objects before « avoir »
        "Le gouvernement le jugeant inutile, la loi a été retirée.",  # « le » is a pronoun
        "Elles se sont succédé à la tribune et se sont dit au revoir.",  # indirect reflexives
        "Les marchés européens ont reculé et les américains aussi.",  # ellipsis: not a people
        "Le président a parlé le russe avec un Russe.",  # singular: the language
        "Le zèbre court ; Le Monde titre sur Emmanuel Macron.",  # capitals that are words
        "Il est arrivé ; elle est partie ; ils sont partis ; elles ont été élues.",
        "Le cas du chikungunya inquiète ; la numéro un mondiale a gagné.",  # rare word, numeral
        "Elle conduira la liste aux européennes.",  # the elections, not women
        "Pierre et elle ont signé ; chacune d'elles a voté.",  # not a lone subject
        "Ils se disent prêts ; le maire s'est réjoui ; on se sent visé.",  # se + finite verb
        "Les élus se réjouis de ce vote.",  # « réjouis » is also a finite form: left alone
    ],
)
def test_right_french_is_not_flagged(text: str) -> None:
    assert found(text) == []
