"""Shortcuts on the hot path give the same answers as the slow, general path."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtqa import lexicon
from mtqa.checks import language


@pytest.mark.parametrize(
    "word", ["abasourdies", "antivaccin", "déployeraient", "xqzt", "évanouissement", "the"]
)
def test_the_sorted_form_file_agrees_with_the_form_set(word: str) -> None:
    assert lexicon.is_dela_form(word) == (word in lexicon.french_words())


def test_plain_english_is_recognised_without_the_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_detector(text: str) -> dict[str, float]:
        raise AssertionError("the detector should not be needed for plain English")

    monkeypatch.setattr(language, "detect", no_detector)
    language._foreign_language_cached.cache_clear()
    found = language.foreign_language("The president said on Monday that the talks would resume next week.")
    assert found is not None and found[0] == "en"


def test_french_and_doubtful_text_are_not_shortcut() -> None:
    language._foreign_language_cached.cache_clear()
    assert language.foreign_language("Le président a annoncé lundi la reprise des négociations.") is None
    # Not plain English (German): the detector decides.
    found = language.foreign_language("Der Präsident kündigte am Montag an, dass die Gespräche weitergehen.")
    assert found is not None and found[0] == "de"


# Written for these tests: one news sentence in each language French MT comes from.
OTHER_LANGUAGES = {
    "de": "Die Regierung hat am Dienstag angekündigt, die Steuern im nächsten Jahr nicht zu erhöhen.",
    "es": "Los precios de la vivienda siguieron subiendo durante el tercer trimestre del año.",
    "it": "Il presidente del Consiglio ha incontrato ieri i sindacati per discutere della riforma.",
    "pt": "A inflação voltou a subir em outubro, segundo os dados do instituto de estatística.",
    "nl": "De minister-president heeft maandag een nieuw plan gepresenteerd tegen de woningnood.",
    "id": "Presiden mengatakan pada hari Senin bahwa pemerintah akan menaikkan harga bahan bakar.",
}


@pytest.mark.parametrize("code", sorted(OTHER_LANGUAGES))
def test_sentences_in_other_languages_are_named(code: str) -> None:
    language._foreign_language_cached.cache_clear()
    found = language.foreign_language(OTHER_LANGUAGES[code])
    assert found is not None and found[0] == code


@pytest.mark.parametrize(
    "text", ["Ref: https://www.lemonde.fr/international", "Source : Kompas.com, Tribunnews, Detik"]
)
def test_what_trigrams_misread_as_foreign_is_ruled_out_by_its_words(text: str) -> None:
    assert language._confidently_foreign(text) is not None  # the trigram screen misreads it
    language._foreign_language_cached.cache_clear()
    assert language.foreign_language(text) is None


def test_a_caption_left_in_indonesian_is_named() -> None:
    language._foreign_language_cached.cache_clear()
    found = language.foreign_language("Foto: Petugas mencari korban di reruntuhan bangunan")
    assert found is not None and found[0] == "id"


def test_an_article_in_another_language_is_rejected_with_its_name() -> None:
    from mtqa.api import Checker
    from mtqa.config import Config
    from mtqa.document import Document, InputFailure

    text = " ".join(
        [OTHER_LANGUAGES["de"], "Der Kanzler reiste danach weiter nach Brüssel, wo er die Kommission traf."]
    )
    result = Checker(Config(model=False)).check(Document("de.txt", text))
    assert isinstance(result, InputFailure) and "allemand" in result.message


@pytest.mark.parametrize(
    "sentence",
    [
        "Le glissement de terrain à Cilacap s’est produit dimanche, selon l’agence BNPB.",
        "Maung Bandung a battu Sriwijaya FC au stade Si Jalak Harupat.",
        "Olaf Scholz et Pedro Sánchez ont rencontré Giorgia Meloni à Bruxelles.",
    ],
)
def test_french_full_of_foreign_names_stays_french(sentence: str) -> None:
    language._foreign_language_cached.cache_clear()
    assert language.foreign_language(sentence) is None


def test_the_word_frequency_table_answers_as_wordfreq_does() -> None:
    import random

    import wordfreq

    for lang in lexicon._TABLE_LANGUAGES:
        words = sorted(w for w in wordfreq.get_frequency_dict(lang) if lexicon._PLAIN_TOKEN.fullmatch(w))
        assert lexicon._frequency_table(lang).with_prefix("") == words
        rng = random.Random(0)
        sample = rng.sample(words, 3000) + [
            a + "-" + b for a, b in zip(rng.sample(words, 500), rng.sample(words, 500), strict=True)
        ]
        with_apostrophe = [w for w in words if "'" in w] or ["aujourd'hui"]
        sample += [w.replace("'", "’") for w in rng.choices(with_apostrophe, k=300)]
        sample += rng.choices(with_apostrophe, k=300)
        # Elided particles with a straight apostrophe, which wordfreq splits off before a
        # vowel or h but not before a consonant, sometimes twice or mixed with a curly one.
        particles = ["l", "d", "s", "qu", "n", "j", "jusqu", "lorsqu", "xy"]
        sample += [f"{rng.choice(particles)}'{w}" for w in rng.sample(words, 1000)]
        sample += [f"{rng.choice(particles)}'{rng.choice(particles)}’{w}" for w in rng.sample(words, 200)]
        pairs = zip(rng.sample(words, 200), rng.sample(words, 200), strict=True)
        sample += [f"{rng.choice(particles)}'{a}-{b}" for a, b in pairs]
        sample += ["aujourd’hui", "l'ukraine", "Maison", "zzqx", "covid-19", "peut-être", "naïveté"]
        sample += ["s'est", "qu'un", "d'heure", "l'œuvre", "aujourd'hui", "presqu'île", "l'l'a"]
        sample += ["erdoğan", "şanlıurfa", "l'ıstanbul", "łódź", "ſtrasse", "ǆungla", "đà", "ᵉ", "한어"]
        # Any letter at all inside a listed word: one no listed word has makes the answer 0
        # without wordfreq (« XXᵉ »); case folding first (« ﬁn » is « fin »).
        letters = [c for c in map(chr, range(0x80, 0x30000)) if c.isalpha() or c.casefold() != c]
        for c in rng.sample(letters, 1000):
            w = rng.choice(words)
            cut = rng.randrange(len(w) + 1)
            sample.append(w[:cut] + c + w[cut:])
        sample += ["xxᵉ", "1ᵉʳ", "ﬁn", "straße", "İstanbul", "ǅ"]
        assert [lexicon.zipf_frequency(w, lang) for w in sample] == [
            wordfreq.zipf_frequency(w, lang) for w in sample
        ]


def test_a_table_that_cannot_be_cached_lives_in_memory(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(path: object, data: object) -> None:
        raise PermissionError("read-only cache")

    monkeypatch.setattr(lexicon, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(lexicon, "write_atomic", read_only)
    table = lexicon.SortedLines.cached_lines("test-table-", "1", lambda: ["été\t3", "abri", "zèle\t7"])
    assert not list(tmp_path.iterdir())
    assert table.get("été") == "3" and "abri" in table and table.get("zébu") is None
    assert table.with_prefix("z") == ["zèle"]


def test_forms_of_reads_dela_entries_as_a_line_by_line_reading_does() -> None:
    """One regex scan finds a lemma's entries: the same as reading every DELA line."""
    wanted = ["démissionner", "aller", "être", "grand-mère", "chef", "aujourd'hui", "pas-un-mot"]
    expected: dict[str, set[tuple[str, str]]] = {w: set() for w in wanted}
    for line in lexicon._dela_text().split("\n"):
        comma = line.find(",")
        dot = line.find(".", comma)
        if comma <= 0 or dot < 0:
            continue
        form = line[:comma].replace("\\", "")
        lemma = line[comma + 1 : dot].replace("\\", "") or form
        if " " not in form and lemma in expected:
            expected[lemma].add((form, line[dot + 1 :].split("+", 1)[0].split(":", 1)[0]))
    found = lexicon.forms_of(wanted)
    assert {w: set(found[w]) for w in wanted} == expected
    assert ("démissionnée", "V") in expected["démissionner"] and not expected["pas-un-mot"]
    assert lexicon.forms("aller", "V", found)[0] == max(lexicon.forms("aller", "V"), key=len)


def test_a_headline_of_french_words_needs_no_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    # Few function words, but every lower-case word a French form: French, without loading
    # lingua's models; foreign sentences still go to the detector.
    def no_detector(text: str) -> None:
        raise AssertionError(f"detector asked: {text}")

    headline = "Inflation, chômage, croissance : prévisions économiques révisées à Bercy"
    monkeypatch.setattr(language, "_screened_and_confirmed", no_detector)
    assert language._foreign_language(headline) is None
    monkeypatch.undo()
    assert language._foreign_language("Die Regierung hat am Dienstag angekündigt, die Steuern zu senken.")


@given(
    st.lists(st.text(alphabet="abéz-'", min_size=1, max_size=5), max_size=300),
    st.lists(st.text(alphabet="abéz-'\t", max_size=5), max_size=20),
    st.sampled_from([1, 3, 16, 64]),
    st.booleans(),
    st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_a_sampled_table_finds_what_a_whole_binary_search_finds(
    keys: list[str], queries: list[str], sample_bytes: int, bare: bool, last_newline: bool
) -> None:
    # The in-memory samples only narrow the search: every lookup answers as a binary search
    # over the whole file does (one sample: the file start), and as a dict of the lines would.
    lines = sorted(k if bare else f"{k}\t{i}" for i, k in enumerate(keys))
    data = "".join(line + "\n" for line in lines).encode()
    data = data if last_newline else data.removesuffix(b"\n")
    sampled, whole = lexicon.SortedLines(data), lexicon.SortedLines(data)
    sampled.SAMPLE_BYTES, whole.SAMPLE_BYTES = sample_bytes, len(data) + 1
    for q in [*keys, *queries]:
        values = sorted("" if bare else str(i) for i, k in enumerate(keys) if k == q)
        assert sampled.get_all(q) == whole.get_all(q) == values
        assert sampled.get(q) == whole.get(q) == (min(values) if values else None)
        assert sampled.with_prefix(q) == whole.with_prefix(q)
