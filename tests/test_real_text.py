"""What real published French needs (issue #9): house style is opt-in, the model reads one
typography, page furniture is not a translation error, and articles can be triaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mtqa.api import Checker, check_text
from mtqa.cli import app
from mtqa.config import Config, load_config
from mtqa.document import Document, Finding, Severity
from mtqa.qe.normalize import normalize, to_original
from mtqa.score import SENTENCE_ALARM, triage

RULES_ONLY = Config(model=False)
QUOTED = "Le ministre a dénoncé {q} une décision brutale et injustifiée {qq}, selon l'agence."


def codes(text: str, config: Config = RULES_ONLY) -> set[str]:
    return {f.rule for f in check_text(text, config).findings}


def test_house_style_typography_is_off_by_default_and_on_with_the_preset(tmp_path: Path) -> None:
    text = 'Le ministre a déclaré: "Nous ne céderons pas sur les retraites", selon son entourage.'
    assert codes(text) == set()
    assert {"MTQA701", "MTQA711"} <= codes(text, Config(model=False, house_style=True))
    (tmp_path / "mtqa.toml").write_text("house-style = true\n", encoding="utf-8")
    assert load_config(tmp_path).house_style
    (tmp_path / "a.txt").write_text(text + "\n", encoding="utf-8")
    plain = CliRunner().invoke(app, ["check", "--no-model", "--format", "json", str(tmp_path / "a.txt")])
    styled = CliRunner().invoke(
        app, ["check", "--no-model", "--house-style", "--format", "json", str(tmp_path / "a.txt")]
    )
    assert json.loads(plain.stdout)["summary"]["findings"]["minor"] == 0
    assert json.loads(styled.stdout)["summary"]["findings"]["minor"] >= 2


def test_typography_that_betrays_mt_stays_on() -> None:
    assert "MTQA702" in codes("L'inflation a atteint 2.5 % en octobre, selon l'Insee.")
    assert "MTQA705" in codes("L'audience est prévue le Nov. 13 à Washington.")
    assert "MTQA707" in codes("Le vote a commencé à 10 a.m. dans tout le pays.")


def test_a_quotation_cut_at_the_end_of_the_text_is_house_style() -> None:
    cut = "Le sélectionneur a parlé après le match.\n\n« J'assume tout, parce que quand on perd ainsi"
    assert "MTQA751" not in codes(cut) and "MTQA752" not in codes(cut)
    assert "MTQA752" in codes(cut, Config(model=False, house_style=True))
    inside = "« Nous travaillons dur, a déclaré un responsable.\n\nLa réunion a duré deux heures."
    assert "MTQA751" in codes(inside)


def test_credits_and_names_are_not_taken_for_another_language() -> None:
    assert codes("ERIC BERACASSAT/Hans Lucas via AFP\n\nLe lycée a rouvert lundi matin.") == set()


def test_straight_curly_and_french_quotes_score_the_same() -> None:
    scores = {
        q: check_text(QUOTED.format(q=q, qq=qq)).sentences[0].score
        for q, qq in [('"', '"'), ("“", "”"), ("«", "»"), ("« ", " »")]
    }
    assert len(set(scores.values())) == 1, scores


def test_glued_colon_percent_and_apostrophes_score_the_same() -> None:
    a = check_text("Bilan: le chômage a reculé à 7,3% au troisième trimestre, d’après l’Insee.")
    b = check_text("Bilan : le chômage a reculé à 7,3 % au troisième trimestre, d'après l'Insee.")
    assert a.sentences[0].score == b.sentences[0].score


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("ab :;!?%1\"“”«»’'.… \u00a0\u202f—-")), max_size=60))
def test_normalised_characters_map_back_into_the_original(text: str) -> None:
    normal, origin = normalize(text)
    assert len(origin) == len(normal)
    for i in range(len(normal)):
        start, end = to_original(origin, i, i + 1)
        assert 0 <= start <= end <= len(text)
    assert normalize(normal)[0] == normal  # one typography: normalising again changes nothing


class _AlarmEverywhere:
    """A scorer that raises a whole-sentence alarm on every sentence."""

    id = "alarm"

    def score(self, doc: Document) -> list[Finding]:
        out = []
        for s in doc.sentences:
            s.score = 0.0
            out.append(Finding(SENTENCE_ALARM, "mistranslation", Severity.MINOR, s.start, s.end, s.text, "…"))
        return out


def test_model_alarms_in_page_furniture_are_dropped() -> None:
    checker = Checker(Config(), scorer=_AlarmEverywhere())
    doc = checker.check(Document("x", "Le président a parlé mardi soir.\nArticle réservé à nos abonnés\n"))
    assert isinstance(doc, Document)
    first, furniture = doc.sentences
    assert [f.rule for f in first.findings] == [SENTENCE_ALARM]
    assert [f.rule for f in furniture.findings] == ["MTQA608"]


def test_triage_orders_articles_by_need(tmp_path: Path) -> None:
    clean = "Le président a reçu mardi son homologue brésilien à l'Élysée pour parler du climat."
    broken = (
        "Le Bupati a dit que la kecamatan sera fermé. Le sénateur Susan Collins s'est démissionné mardi. "
        "Kamala Harris a été élu. The minister said that the talks would resume next week."
    )
    a, b = check_text(clean, RULES_ONLY), check_text(broken, RULES_ONLY)
    assert a.triage is not None and b.triage is not None
    assert 0.0 <= a.triage < b.triage <= 1.0
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (("a", clean), ("b", broken)))
    )
    result = CliRunner().invoke(app, ["check", "--no-model", "--sort", "triage", "-f", "json", str(feed)])
    report = json.loads(result.stdout)
    assert [d["path"][-1] for d in report["documents"]] == ["b", "a"]
    assert all(0.0 <= d["triage"] <= 1.0 for d in report["documents"])


@pytest.mark.parametrize("text", ["Le ministre a dit.", "Photo : AFP"])
def test_triage_exists_for_any_article(text: str) -> None:
    doc = check_text(text, Config(model=False, min_french_share=0.0))
    assert doc.triage is not None and 0.0 <= doc.triage <= 1.0


@given(st.lists(st.sampled_from("abcdefghij"), max_size=80), st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_repetition_is_the_moving_average_type_token_ratio(words: list[str], window: int) -> None:
    # The one-pass computation against the definition: the mean share of distinct words
    # over every window of ``window`` consecutive words.
    if len(words) <= window:
        expected = 1.0 - len(set(words)) / len(words) if words else 0.0
    else:
        spans = [words[i : i + window] for i in range(len(words) - window + 1)]
        expected = 1.0 - sum(len(set(s)) / window for s in spans) / len(spans)
    assert triage.repetition(words, window) == pytest.approx(expected)


def test_a_repetitive_article_needs_an_editor_more() -> None:
    # Same findings (none), same length: only the vocabulary's variety differs.
    varied = (
        "Le gouvernement a présenté mardi un budget prudent. Les syndicats dénoncent des coupes "
        "dans l'éducation, tandis que le patronat salue une baisse des charges. L'opposition "
        "promet d'amender le texte au Sénat dès la rentrée parlementaire."
    )
    repetitive = (
        "Le gouvernement a présenté le budget du gouvernement. Le budget du gouvernement est le "
        "budget de la France, et le gouvernement a dit que le budget est le budget de l'année. "
        "Le gouvernement a dit que le budget est le budget."
    )
    a, b = (triage.features(check_text(t, RULES_ONLY)) for t in (varied, repetitive))
    assert a["rule_findings"] == b["rule_findings"] == 0
    assert a["repetition"] < b["repetition"]
    assert triage.score(a) < triage.score(b)


def test_every_said_as_a_declared_is_counted_for_triage() -> None:
    # Same length, no findings: one article varies its verbs of speech, the other renders
    # each "said" as « a déclaré » (inversions and plurals included).
    varied = (
        "Le maire a indiqué mardi que les travaux reprendraient. Selon lui, le chantier durera "
        "un an. « Nous tiendrons les délais », a-t-il assuré, tandis que l'opposition a dénoncé un retard."
    )
    declared = (
        "Le maire a déclaré mardi que les travaux reprendraient. Il a déclaré que le chantier durera "
        "un an. « Nous tiendrons les délais », a-t-il déclaré, tandis que les élus ont déclaré un retard."
    )
    a, b = (triage.features(check_text(t, RULES_ONLY)) for t in (varied, declared))
    assert a["said_declared"] == 0 and b["said_declared"] == pytest.approx(4 / 3)
    assert a["rule_findings"] == b["rule_findings"] == 0
    assert triage.score(a) < triage.score(b)


def test_french_turns_without_an_english_counterpart_lower_the_triage_score() -> None:
    # The same news told twice: with the turns a French journalist writes (impersonal « on »,
    # « en effet », « or », « quant à »), and as a translation from English tends to render it.
    journalist = (
        "On ne connaît pas encore le coût exact du chantier. La mairie, en effet, attend les devis. "
        "Or, les entreprises tardent à répondre. Quant à l'opposition, elle réclame un débat."
    )
    translated = (
        "Le coût exact du chantier n'est pas encore connu. La mairie attend actuellement les devis. "
        "Cependant, les entreprises tardent à répondre. L'opposition, pour sa part, réclame un débat."
    )
    a, b = (triage.features(check_text(t, RULES_ONLY)) for t in (journalist, translated))
    assert a["french_turns"] == pytest.approx(4 / 31) and b["french_turns"] == 0
    assert a["rule_findings"] == b["rule_findings"] == 0
    assert triage.score(a) < triage.score(b)


def test_an_english_on_left_untranslated_is_not_a_french_turn() -> None:
    text = (
        "Le ministre a présenté mardi son plan pour les hôpitaux publics, attendu depuis des mois. "
        "Les syndicats de soignants ont salué un premier pas, mais réclament davantage de postes. "
        "Les directeurs d'établissement attendent de connaître le calendrier des embauches. "
        "The minister will decide on the budget on Monday, on the advice of his staff.\n"
    )
    doc = check_text(text, RULES_ONLY)
    assert any(f.category == "untranslated" for f in doc.findings)
    assert triage.features(doc)["french_turns"] == 0
