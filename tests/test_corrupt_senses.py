"""The wrong-sense generator (``mtqa.train.corrupt.senses``) on a small dictionary of ours,
written in dictd's format, so that the test needs no Debian package."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from mtqa.train.corrupt import GENERATORS, NOT_FOR_THE_MODEL, corrupt, senses

ENG_FRA = {
    "calf": ["1. veau", "2. mollet"],
    "battery": ["1. batterie, accumulateur", "2. pile"],
    "fire": ["1. licencier, renvoyer", "2. tirer"],
    "summit": ["1. sommet", "2. cime"],
    "state": ["1. déclarer, affirmer", "2. état"],
}
FRA_ENG = {
    "déclarer": ["declare, state"],
    "affirmer": ["assert, declare, state"],
}


def _b64(n: int) -> str:
    alphabet = senses._B64
    out = ""
    while True:
        out = alphabet[n % 64] + out
        n //= 64
        if not n:
            return out


def _write_dictd(folder: Path, name: str, entries: dict[str, list[str]]) -> None:
    body, index = b"", []
    for head, lines in sorted(entries.items()):
        text = (f"{head} /x/\n" + "\n".join(lines) + "\n").encode("utf-8")
        index.append(f"{head}\t{_b64(len(body))}\t{_b64(len(text))}")
        body += text
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as fh:
        fh.write(body)


@pytest.fixture
def dictionary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _write_dictd(tmp_path, "freedict-eng-fra", ENG_FRA)
    _write_dictd(tmp_path, "freedict-fra-eng", FRA_ENG)
    monkeypatch.setattr(senses, "FREEDICT", tmp_path)
    senses.wrong_senses.cache_clear()
    yield tmp_path
    senses.wrong_senses.cache_clear()


def test_entries_read_numbered_senses(dictionary: Path) -> None:
    read = dict(senses.entries("freedict-eng-fra"))
    assert read["calf"] == [["veau"], ["mollet"]]
    assert read["battery"] == [["batterie", "accumulateur"], ["pile"]]


def test_a_damaged_index_line_costs_one_headword(dictionary: Path) -> None:
    index = dictionary / "freedict-eng-fra.index"
    index.write_text("broken\t!!\t??\n" + index.read_text(encoding="utf-8"), encoding="utf-8")
    read = dict(senses.entries("freedict-eng-fra"))
    assert "broken" not in read and read["calf"] == [["veau"], ["mollet"]]


def test_pairs_cross_senses_but_never_synonyms(dictionary: Path) -> None:
    table = senses.wrong_senses()
    assert "veau" in table[("mollet", "N")]
    assert "mollet" in table[("veau", "N")]
    assert "pile" in table[("batterie", "N")]
    # Listed in one sense: synonyms, not a wrong sense.
    assert "accumulateur" not in table.get(("batterie", "N"), ())
    # Two shared English translations in the French-English dictionary: near-synonyms too.
    assert "affirmer" not in table.get(("déclarer", "V"), ())
    # « état » is a noun, « déclarer » a verb: no pair across parts of speech.
    assert "état" not in table.get(("déclarer", "V"), ())


def test_noun_replaced_by_its_wrong_sense(dictionary: Path) -> None:
    c = senses.pivot_sense("La batterie du téléphone est vide.", None, random.Random(0))
    assert c is not None
    assert c.fr == "La pile du téléphone est vide."
    assert [c.fr[s:e] for s, e in c.bad] == ["pile"]
    assert (c.category, c.severity, c.kind) == ("mistranslation", "major", "pivot_sense")


def test_verb_keeps_its_tense_and_a_participle_after_an_auxiliary(dictionary: Path) -> None:
    c = senses.pivot_sense("L'usine a licencié 200 salariés.", None, random.Random(0))
    assert c is not None and c.fr == "L'usine a tiré 200 salariés."
    c = senses.pivot_sense("L'usine renvoie 200 salariés.", None, random.Random(0))
    assert c is not None and c.fr == "L'usine tire 200 salariés."


def test_gender_must_match(dictionary: Path) -> None:
    # « cime » is feminine, « sommet » masculine: an adjective would betray the swap.
    assert senses.pivot_sense("Le sommet a duré deux jours.", None, random.Random(0)) is None


def test_names_adjectives_and_nothing_to_swap_are_left_alone(dictionary: Path) -> None:
    assert senses.pivot_sense("Batterie a signé un contrat.", None, random.Random(0)) is None
    # « mollet » is also an adjective (« un œuf mollet »): which word is meant is unclear.
    assert senses.pivot_sense("Il a mal au mollet.", None, random.Random(0)) is None
    assert senses.pivot_sense("Il pleut sur Paris depuis lundi.", None, random.Random(0)) is None


def test_without_the_dictionary_the_generator_never_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(senses, "FREEDICT", tmp_path / "absent")
    senses.wrong_senses.cache_clear()
    try:
        assert senses.wrong_senses() == {}
        assert senses.pivot_sense("La batterie est vide.", None, random.Random(0)) is None
    finally:
        senses.wrong_senses.cache_clear()


def test_only_asked_for_by_name(dictionary: Path) -> None:
    # It did not help the model on real articles (models/README.md): the default mix, from
    # which the shipped weights were trained, never picks it.
    assert GENERATORS["pivot_sense"] is senses.pivot_sense
    assert "pivot_sense" in NOT_FOR_THE_MODEL
    fr = "La batterie du téléphone est vide."
    kinds = {corrupt(fr, None, random.Random(seed)) for seed in range(40)}
    assert "pivot_sense" not in {c.kind for c in kinds if c is not None}
    c = corrupt(fr, None, random.Random(0), kinds=["pivot_sense"])
    assert c is not None and c.kind == "pivot_sense"
