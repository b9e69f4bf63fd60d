"""The quality-estimation model inside the pipeline: loading, scores, findings, merging."""

from __future__ import annotations

import pytest
import torch

from mtqa.api import Checker, check_text
from mtqa.config import Config
from mtqa.document import Document
from mtqa.qe import dataset
from mtqa.qe.metrics import roc_auc
from mtqa.qe.scorer import load_scorer

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
    ex = dataset.Example(fr, "The troops were outnumbered on the front line.", ((start, start + 15),))
    b = dataset.encode(scorer.tokenizer, [ex])
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


def test_lean_encoder_matches_transformers() -> None:
    from safetensors.torch import load_file

    from mtqa.qe.backbone import backbone_files, load_backbone, truncate_layers
    from mtqa.qe.encoder import LeanEncoder

    reference, tok = load_backbone()
    truncate_layers(reference, 4)
    files = backbone_files()
    lean = LeanEncoder(files.config, 4)
    state = {k: v for k, v in load_file(str(files.model)).items() if not k.startswith("encoder.layer.")}
    state |= {k: v for k, v in reference.state_dict().items() if k.startswith("encoder.layer.")}
    lean.load_state_dict(state, strict=True)
    lean.eval()
    batch = tok([CLEAN, "Court."], padding=True, return_tensors="pt")
    with torch.inference_mode():
        a = reference(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        b = lean(batch["input_ids"], batch["attention_mask"]).last_hidden_state
    mask = batch["attention_mask"].bool()
    assert (a[mask] - b[mask]).abs().max().item() < 1e-4


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
