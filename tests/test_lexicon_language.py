"""Shortcuts on the hot path give the same answers as the slow, general path."""

from __future__ import annotations

import pytest

from mtqa import lexicon
from mtqa.checks import language


@pytest.mark.parametrize(
    "word", ["abasourdies", "antivaccin", "déployeraient", "xqzt", "évanouissement", "the"]
)
def test_dela_text_scan_agrees_with_the_form_set(word: str) -> None:
    assert lexicon.is_dela_form(word) == (word in lexicon.french_words())


def test_plain_english_is_recognised_without_langdetect(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_langdetect(text: str) -> dict[str, float]:
        raise AssertionError("langdetect should not be needed for plain English")

    monkeypatch.setattr(language, "detect", no_langdetect)
    language._foreign_language_cached.cache_clear()
    found = language.foreign_language("The president said on Monday that the talks would resume next week.")
    assert found is not None and found[0] == "en"


def test_french_and_doubtful_text_are_not_shortcut() -> None:
    language._foreign_language_cached.cache_clear()
    assert language.foreign_language("Le président a annoncé lundi la reprise des négociations.") is None
    # Not plain English (German): langdetect decides.
    found = language.foreign_language("Der Präsident kündigte am Montag an, dass die Gespräche weitergehen.")
    assert found is not None and found[0] == "de"
