"""Synthetic MT errors: each generator on hand-made sentences, then invariants on clean pairs."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import yaml

from mtqa import lexicon
from mtqa.train import corrupt as C
from mtqa.train.corrupt import base, content, garbled

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "models" / "data"


def run(kind: str, fr: str, en: str | None = None, seeds: range = range(5)) -> list[C.Corruption]:
    """The generator's output for several seeds (all must apply)."""
    out = []
    for seed in seeds:
        c = C.GENERATORS[kind](fr, en, random.Random(seed))
        assert c is not None, f"{kind} did not apply to {fr!r} (seed {seed})"
        assert c.kind == kind and c.fr != fr
        C.check_spans(c.fr, c.bad)
        out.append(c)
    return out


def outside_words(c: C.Corruption) -> list[str]:
    """Words of the corrupted text that lie outside every bad span."""
    return [
        m.group(0)
        for m in base._WORD.finditer(c.fr)
        if not any(s < m.end() and m.start() < e for s, e in c.bad)
    ]


def words(text: str) -> list[str]:
    return [m.group(0) for m in base._WORD.finditer(text)]


@pytest.fixture(scope="module")
def pairs() -> list[dict[str, str]]:
    out = []
    for name in ("clean_pairs_world.jsonl", "clean_pairs_society.jsonl"):
        with open(DATA / name, encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


# ---------------------------------------------------------------------------- substitutions file


def test_substitution_file_loads_and_compiles() -> None:
    raw = yaml.safe_load((DATA / "substitutions.yaml").read_text(encoding="utf-8"))
    assert len(raw) >= 150
    for entry in raw:
        assert entry["category"] in base.CATEGORIES and entry["severity"] in C.SEVERITIES, entry
        if "good" in entry:
            re.compile(entry["good"])
            assert entry["bad"], entry
        else:
            assert {"lemma", "bad_lemma", "pos"} <= entry.keys(), entry
    assert len(C.load_substitutions()) == len(raw)


def test_substitution_file_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "subs.yaml"
    bad.write_text("- {good: '(unclosed', bad: [x], category: calque, severity: minor}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry 0"):
        C.load_substitutions(bad)


# ---------------------------------------------------------------------------- 1. substitution


@pytest.mark.parametrize(
    ("fr", "expected", "bad", "category"),
    [
        ("La réunion a eu lieu mardi.", "La réunion a pris place mardi.", ["pris place"], "calque"),
        # The determiner is re-fitted to the new noun and is part of the error.
        ("Le médicament a été approuvé.", "La drogue a été approuvé.", ["La drogue"], "mistranslation"),
        ("Le procès s’ouvrira lundi.", "L’essai s’ouvrira lundi.", ["L’essai"], "mistranslation"),
        # Lemma entries keep the inflection: soutiennent → supportent.
        (
            "Les républicains soutiennent le projet.",
            "Les républicains supportent le projet.",
            ["supportent"],
            "mistranslation",
        ),
        ("Il a été inculpé de meurtre.", "Il a été chargé de meurtre.", ["chargé"], "mistranslation"),
        (
            "Des explosions ont retenti à Kiev.",
            "Des explosions ont retenti à Kyiv.",
            ["Kyiv"],
            "named-entity-spelling",
        ),
        ("Finalement, il a renoncé.", "Éventuellement, il a renoncé.", ["Éventuellement"], "mistranslation"),
    ],
)
def test_substitution_examples(fr: str, expected: str, bad: list[str], category: str) -> None:
    for c in run("substitution", fr):
        assert (c.fr, c.bad_text, c.category) == (expected, bad, category)


def test_substitution_institution_keeps_apostrophe_style() -> None:
    for c in run("substitution", "Le département d'État a démenti.", seeds=range(8)):
        assert c.category == "wrong-institution-or-title"
        assert c.bad_text[0] in ("ministère des Affaires étrangères", "de l'État")
        assert "’" not in c.fr


def test_substitution_not_applicable() -> None:
    assert C.substitution("Il pleut.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 2. reflexive


def test_reflexive() -> None:
    (c,) = run("reflexive", "Le ministre a démissionné mardi.", seeds=range(1))
    assert c.fr == "Le ministre s'est démissionné mardi." and c.bad_text == ["s'est", "démissionné"]
    assert (c.category, c.severity) == ("grammar", "major")
    (c,) = run("reflexive", "Ils n’ont pas voyagé.", seeds=range(1))
    assert c.fr == "Ils ne se sont pas voyagé." and c.bad_text == ["ne se sont", "voyagé"]
    (c,) = run("reflexive", "Le sommet s’est tenu à Genève.", seeds=range(1))
    assert c.fr == "Le sommet a tenu à Genève." and c.bad_text == ["a", "tenu"]
    assert C.reflexive("Le ministre est parti.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 3. agreement


def test_agreement_changes_one_word_to_another_form_of_its_lemma() -> None:
    fr = "La nouvelle loi est entrée en vigueur."
    for c in run("agreement", fr, seeds=range(10)):
        old, new = words(fr), words(c.fr)
        assert len(old) == len(new)
        (i,) = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        assert c.bad_text == [new[i]]
        assert lexicon.lemmas(old[i]) & lexicon.lemmas(new[i])
        assert (c.category, c.severity) == ("grammar", "minor")


def test_agreement_determiner_clashes_with_noun() -> None:
    fr = "Il a présenté sa réforme."
    seen = {c.bad_text[0] for c in run("agreement", fr, seeds=range(20))}
    assert seen & {"son", "ses", "réformes", "présentée", "présentés", "présentées"}
    assert "sa" not in seen
    assert C.agreement("Paris, 2024.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 4. conjugation


def test_conjugation() -> None:
    fr = "Les responsables ont déclaré qu'ils déploieraient l'aide avant janvier."
    (c,) = run("conjugation", fr, seeds=range(1))
    assert c.bad_text == ["déployeraient"] and c.fr == fr.replace("déploieraient", "déployeraient")
    assert not lexicon.is_french_word("déployeraient")
    (c,) = run("conjugation", "Il a pris la décision.", seeds=range(1))
    assert c.bad_text == ["prendu"]
    # « le produit » is a noun here, so the irregular participle table leaves it alone.
    assert C.conjugation("Le produit est bleu.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 5. preposition


def test_preposition() -> None:
    fr = "Le président se rendra en France lundi."
    for c in run("preposition", fr, seeds=range(10)):
        (s, e) = c.bad[0]
        assert c.fr[:s] == "Le président se rendra " and c.fr[e:] == " France lundi."
        assert c.bad_text[0] in ("au", "à la", "à", "dans", "sur")
    assert C.preposition("Il pleut.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 6. untranslated


def test_untranslated_uses_source_words() -> None:
    fr = (
        "Les discussions ont duré près de neuf heures et se sont achevées sans déclaration commune, "
        "selon un diplomate."
    )
    en = "Talks lasted nearly nine hours and ended without a joint statement, according to a diplomat."
    en_words = set(words(en))
    for c in run("untranslated", fr, en, seeds=range(20)):
        for piece in c.bad_text:
            assert set(words(piece)) <= en_words, piece
        assert c.category == "untranslated"
    assert C.untranslated(fr, None, random.Random(0)) is None


def test_untranslated_whole_caption() -> None:
    fr, en = "Climat : Macron et Xi s'accordent", "Macron and Xi agree on climate"
    outs = run("untranslated", fr, en, seeds=range(30))
    whole = [c for c in outs if c.fr == en]
    assert whole and all(c.bad == ((0, len(en)),) for c in whole)


# ---------------------------------------------------------------------------- 7. garble


def test_garble_operations() -> None:
    fr = "Les différences restaient importantes entre les deux camps."
    ws = base._words(fr)
    dup = garbled._garble_op(fr, ws, "duplicate", random.Random(1))
    assert dup and dup.category == "garbled"
    (s, e) = dup.bad[0]
    copy = dup.fr[s:e]
    assert dup.fr[:s].endswith(copy + " ")  # the copy follows the original
    swap = garbled._garble_op(fr, ws, "swap", random.Random(0))
    assert swap and swap.severity == "major" and sorted(words(fr)) == sorted(words(swap.fr))
    gone = garbled._garble_op(fr, ws, "delete", random.Random(0))
    assert gone and len(words(gone.fr)) == len(ws) - 1 and len(gone.bad) == 2
    moj = garbled._garble_op(fr, ws, "mojibake", random.Random(0))
    assert moj and "Ã" in moj.bad_text[0]
    assert C.garble("Oui.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 8. word sense


def test_word_sense() -> None:
    (c,) = run("word_sense", "Ils ont finalement repoussé.", seeds=range(1))
    assert c.fr == "Ils ont finalement renversé." and c.bad_text == ["renversé"]
    fr = "Le gouvernement a présenté la réforme."
    for c in run("word_sense", fr, seeds=range(5)):
        old, new = words(fr), words(c.fr)
        (i,) = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        assert c.bad_text == [new[i]] and (c.category, c.severity) == ("mistranslation", "major")


# ---------------------------------------------------------------------------- 9. number


def test_number() -> None:
    fr = "Le séisme a fait 147 morts mardi."
    for c in run("number", fr, seeds=range(10)):
        assert c.needs_source and c.category == "number-mismatch"
        new = c.bad_text[0]
        assert re.fullmatch(r"\d+", new) or new in content.WEEKDAYS
        assert new not in ("147", "mardi")
    (c,) = run("number", "Le projet coûtera 3 milliards.", seeds=range(1))
    assert c.bad_text[0] in ("millions",) or re.fullmatch(r"\d+", c.bad_text[0])
    assert C.number("Il pleut.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 10. omission


@pytest.mark.parametrize(
    ("fr", "expected", "bad"),
    [
        ("Nous ne cherchons pas la confrontation.", "Nous cherchons la confrontation.", ["cherchons"]),
        (
            "Ce sommet, qui a lieu tous les deux ans, réunit les dirigeants de 54 pays.",
            "Ce sommet réunit les dirigeants de 54 pays.",
            ["sommet", "réunit"],
        ),
        ("Le séisme a fait au moins 147 morts.", "Le séisme a fait 147 morts.", ["fait", "147"]),
    ],
)
def test_omission(fr: str, expected: str, bad: list[str]) -> None:
    (c,) = run("omission", fr, seeds=range(1))
    assert (c.fr, c.bad_text, c.needs_source) == (expected, bad, True)


def test_omission_not_applicable() -> None:
    assert C.omission("Le ministre est parti.", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 11. addition


def test_addition_marks_only_inserted_words() -> None:
    fr = "Le sommet s'est achevé sans accord."
    for c in run("addition", fr, seeds=range(10)):
        assert c.needs_source and c.category == "addition"
        assert outside_words(c) == words(fr)
        assert all(piece not in fr for piece in c.bad_text)


# ---------------------------------------------------------------------------- 12. typography


def test_typography() -> None:
    # House style (quotes, a glued colon or %) is not an error the model should learn.
    assert C.typography("« Nous ne céderons pas », a-t-il dit : non.", None, random.Random(0)) is None
    for c in run("typography", "L'inflation a ralenti à 2,2 % en octobre.", seeds=range(10)):
        assert c.bad_text[0] in ("2.2%", "Octobre")
    for c in run("typography", "Le vote aura lieu le 13 novembre à 10 h.", seeds=range(10)):
        assert c.bad_text[0] in ("Nov. 13", "novembre 13", "13th novembre", "10 a.m", "10:00", "Novembre")
        assert ".." not in c.fr
    assert C.typography("Il pleut", None, random.Random(0)) is None


# ---------------------------------------------------------------------------- 13. boilerplate


def test_boilerplate() -> None:
    fr = "Le sommet s'est achevé sans accord."
    for c in run("boilerplate", fr, seeds=range(10)):
        (s, e) = c.bad[0]
        assert (c.fr[:s] + c.fr[e:]).strip() == fr
        assert c.category == "boilerplate"


# ---------------------------------------------------------------------------- corrupt() and invariants


def test_corrupt_validates_kinds() -> None:
    with pytest.raises(ValueError, match="unknown"):
        C.corrupt("Il pleut.", None, random.Random(0), kinds=["nope"])
    assert C.corrupt("Le ministre est parti.", None, random.Random(0), kinds=["reflexive"]) is None


def test_corruption_rejects_bad_spans() -> None:
    with pytest.raises(ValueError):
        C.Corruption("abc", ((2, 1),), "grammar", "minor", False, "x")
    with pytest.raises(ValueError):
        C.Corruption("abc", (), "grammar", "minor", False, "x")
    with pytest.raises(ValueError):
        C.Corruption("a bc", ((0, 2),), "grammar", "minor", False, "x")


def test_corrupt_on_clean_pairs(pairs: list[dict[str, str]]) -> None:
    sample = pairs[:300]
    rng = random.Random(0)
    first = [C.corrupt(p["fr"], p["en"], rng) for p in sample]
    done = [(p, c) for p, c in zip(sample, first, strict=True) if c is not None]
    assert len(done) >= 0.85 * len(sample)
    for p, c in done:
        assert c.fr != p["fr"]
        C.check_spans(c.fr, c.bad)
        assert c.kind in C.GENERATORS and c.category in base.CATEGORIES
        assert c.needs_source == (c.kind in C.NEEDS_SOURCE)
    assert len({c.kind for _, c in done}) >= 10
    rng = random.Random(0)
    again = [C.corrupt(p["fr"], p["en"], rng) for p in sample]
    assert again == first


def test_corrupt_without_source_skips_source_only_errors(pairs: list[dict[str, str]]) -> None:
    rng = random.Random(1)
    for p in pairs[300:360]:
        c = C.corrupt(p["fr"], None, rng)
        assert c is not None and c.kind not in C.NEEDS_SOURCE and c.kind != "untranslated"


def test_loader_capital_only_at_sentence_start() -> None:
    # « bondi » → « sauté » must not fire on Pam Bondi; « Finalement, » at the start still does.
    assert C.substitution("Pam Bondi a parlé.", None, random.Random(0)) is None
    c = C.substitution("Les prix ont bondi.", None, random.Random(0))
    assert c and c.bad_text == ["sauté"]
