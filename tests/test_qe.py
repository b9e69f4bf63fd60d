"""The quality-estimation model inside the pipeline: loading, scores, findings, merging."""

from __future__ import annotations

import math

import pytest

from mtqa.api import Checker, check_text
from mtqa.config import Config
from mtqa.document import Document, Sentence
from mtqa.qe import inputs
from mtqa.qe.metrics import roc_auc
from mtqa.qe.scorer import Prediction, length_prior, load_scorer

CLEAN = "La Banque centrale européenne a maintenu ses taux directeurs inchangés jeudi, comme prévu."
BROKEN = (
    "Le ministre s'est démissionné à Bruxelles avant une visite prévue au Pérou et au Brésil ce week-end."
)


def test_roc_auc() -> None:
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert roc_auc([1, 1], [0, 1]) == 0.5
    assert roc_auc([0.2, 0.3], [1, 1]) is None


def test_encode_labels_only_french_tokens_in_the_bad_span() -> None:
    scorer = load_scorer()
    fr = "Les troupes ont perdu le nombre sur le front."
    start = fr.index("perdu le nombre")
    ex = inputs.Example(fr, "The troops were outnumbered on the front line.", ((start, start + 15),))
    b = inputs.tokenize(scorer.tokenizer, [ex])
    labels = b.token_labels[0].tolist()
    inside = [
        y for (s, e), y in zip(b.offsets[0], labels, strict=False) if e > s and start <= s and e <= start + 15
    ]
    outside = [
        y
        for (s, e), y in zip(b.offsets[0], labels, strict=False)
        if e > s and (e <= start or s >= start + 15)
    ]
    assert inside and set(inside) == {1.0}
    assert outside and set(outside) == {0.0}
    # English tokens are never labelled, and French ones outside the span are OK (0).
    assert b.target_mask.sum() < b.attention_mask.sum()
    assert set(b.token_labels[0][b.target_mask[0] == 0].tolist()) == {-100.0}


@pytest.mark.parametrize("activation", ["gelu", "gelu_pytorch_tanh"])
def test_numpy_network_matches_the_torch_model(activation: str) -> None:
    """Inference (numpy, Latin-only vocabulary) computes what training (torch, full vocabulary) does."""
    torch = pytest.importorskip("torch")
    from mtqa.qe import backbone
    from mtqa.qe.runtime import QENetwork
    from mtqa.train import dataset
    from mtqa.train.encoder import load_encoder, set_activation, truncate_layers
    from mtqa.train.model import QEModel

    reference, tok = load_encoder()
    truncate_layers(reference, 4)
    set_activation(reference, activation)
    torch.manual_seed(0)
    model = QEModel(reference, 384).eval()
    bb = backbone.load()
    state = {k: v.numpy() for k, v in model.trainable_state().items()}
    network = QENetwork(state, bb.word_embeddings, bb.config, 4, activation)
    examples = [
        inputs.Example(CLEAN, None, ()),
        inputs.Example("Court.", "Short.", ()),
        inputs.Example("L’« accord » coûte 1,5 milliard d’euros – selon Kyiv…", "The deal costs €1.5bn.", ()),
    ]
    full = dataset.encode(tok, examples)
    latin = inputs.tokenize(load_scorer().tokenizer, examples)
    assert latin.offsets == full.offsets
    with torch.inference_mode():
        s_ref, t_ref = model(full.input_ids, full.attention_mask, full.target_mask)
    s_np, t_np = network(latin.input_ids, latin.attention_mask, latin.target_mask)
    mask = full.attention_mask.bool().numpy()
    assert abs(s_ref.numpy() - s_np).max() < 1e-4
    assert abs(t_ref.numpy()[mask] - t_np[mask]).max() < 1e-4


def test_latin_tokenizer_segments_news_text_as_the_full_one() -> None:
    import json

    from mtqa.qe import backbone

    full = backbone.build_tokenizer(backbone.read_e5_bin(backbone.source_path()))
    latin = backbone.load().tokenizer
    _, kept = backbone.latin_vocabulary(json.loads(full.to_str()))
    texts = [
        "Le secrétaire d’État américain a rencontré son homologue « chinois » à Pékin, l’été dernier.",
        "Œuvres, çà et là : naïveté, Noël, Škoda, Łódź, Ærø, Nguyễn Phú Trọng, São Paulo, 3,5 % et 12 €.",
        "Secretary of State Marco Rubio said the U.S. would 'not back down' — $4.2bn, 5°C, 10 p.m.",
        "  Espaces   multiples\tet\nretours à la ligne, émojis ✓ et ligatures ﬁn.",
    ]
    for text in texts:
        a, b = full.encode(text), latin.encode(text)
        assert a.offsets == b.offsets
        assert [kept[i] for i in b.ids] == a.ids, text


def test_scores_are_probabilities_and_deterministic() -> None:
    first = check_text(CLEAN + "\n" + BROKEN + "\n")
    second = check_text(CLEAN + "\n" + BROKEN + "\n")
    scores = [s.score for s in first.sentences]
    assert all(s is not None and 0.0 <= s <= 1.0 for s in scores)
    assert scores == [s.score for s in second.sentences]
    assert first.score is not None and 0.0 <= first.score <= 1.0
    assert [f.rule for f in first.findings] == [f.rule for f in second.findings]


def test_rule_findings_cap_the_score_and_absorb_model_findings() -> None:
    doc = check_text(BROKEN)
    rules = [f for f in doc.findings if f.source == "rules"]
    assert any(f.rule == "MTQA401" for f in rules)
    assert doc.sentences[0].score is not None and doc.sentences[0].score <= 0.2
    for m in (f for f in doc.findings if f.source == "model"):
        assert not any(r.start < m.end and m.start < r.end for r in rules)


def test_model_off_leaves_scores_none() -> None:
    doc = Checker(Config(model=False)).check(Document("x", BROKEN))
    assert isinstance(doc, Document)
    assert doc.score is None and all(s.score is None for s in doc.sentences)


@pytest.mark.parametrize(
    "source", [None, "The central bank kept its key rates unchanged on Thursday, as expected."]
)
def test_source_mode_scores(source: str | None) -> None:
    scorer = load_scorer()
    [pred] = scorer.predict([CLEAN], [source])
    assert 0.0 <= pred.error_probability <= 1.0


def test_length_prior_raises_the_error_odds_of_long_sentences_only() -> None:
    cal = {"a": 1.0, "b": 0.0, "per_log_token": 0.6, "reference_tokens": 27.0}
    assert length_prior(cal, 27) == 0.0
    assert length_prior(cal, 54) == pytest.approx(0.6 * math.log(2))
    assert length_prior(cal, 10) < 0.0
    assert length_prior({"a": 1.0, "b": 0.0}, 80) == 0.0  # calibrated on the model's own split only


def test_the_scorer_adds_the_length_prior_to_the_models_log_odds(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = load_scorer()
    short, long_ = CLEAN, CLEAN + " " + CLEAN.replace("jeudi", "vendredi")
    cal = dict(scorer.meta["calibration"])
    monkeypatch.setitem(scorer.meta, "calibration", {"a": cal["a"], "b": cal["b"]})
    plain = [p.error_probability for p in scorer.predict([short, long_], [None, None])]
    monkeypatch.setitem(scorer.meta, "calibration", {**cal, "per_log_token": 1.0, "reference_tokens": 30.0})
    with_prior = [p.error_probability for p in scorer.predict([short, long_], [None, None])]
    tokens = [len(scorer.token_offsets(t)) for t in (short, long_)]
    assert tokens[0] < 30 < tokens[1]
    for before, after, n in zip(plain, with_prior, tokens, strict=True):
        logit = math.log(before / (1 - before)) + math.log(n / 30.0)
        assert after == pytest.approx(1 / (1 + math.exp(-logit)), rel=1e-6)


def test_a_span_alarm_needs_a_word_french_news_does_not_print_every_day() -> None:
    scorer = load_scorer()
    text = "Le coach a salué le match, puis il a parlé du retard du vol XNUMX de la compagnie."
    s = Sentence(index=0, start=0, end=len(text), text=text, paragraph=0)

    def alarms(phrase: str) -> list[str]:
        start = text.index(phrase)
        p = Prediction(0.5, [(start, start + len(phrase), 0.9999)])  # under the sentence alarm
        return [f.text for f in scorer._findings(s, p) if f.rule == "MTQA901"]

    assert alarms("Le coach") == []  # words newsrooms print every day
    assert alarms("XNUMX") == ["XNUMX"]  # no French word: the token head is trusted
    assert alarms("vol XNUMX") == ["vol XNUMX"]  # one uncommon word is enough
