"""Calibrate a trained QE model on the held-out split: ``python -m mtqa.train.calibrate``.

Fits Platt scaling so the sentence score is a probability, then picks the thresholds that
turn scores into findings under a false-alarm budget on clean held-out sentences: editors
forgive a missed error more easily than a flagged correct sentence. Rewrites ``qe.json``
and ``SHA256SUMS``; ``train`` calls it at the end.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

from mtqa.qe.metrics import roc_auc
from mtqa.qe.scorer import model_dir
from mtqa.train import dataset

if TYPE_CHECKING:
    from mtqa.qe.scorer import QEScorer

# Share of clean held-out sentences that may get a model finding of any severity / a major one.
FLAG_BUDGET = 0.01
FAIL_BUDGET = 0.002


def fit_platt(logits: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """P(error) = sigmoid(a * logit + b), fitted by maximum likelihood."""
    x = torch.tensor(logits, dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.float64)
    a = torch.ones((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([a, b], max_iter=200)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(a * x + b, y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(a.detach()), float(b.detach())


def _above(values: Sequence[float], k: int) -> float:
    """A threshold that exactly ``k`` of ``values`` reach (ties aside)."""
    ranked = sorted(values, reverse=True)
    if k <= 0:
        return ranked[0] + 1e-6
    return ranked[min(k, len(ranked)) - 1]


def choose_thresholds(
    p_error: Sequence[float], p_token: Sequence[float], labels: Sequence[int]
) -> dict[str, float]:
    """Token and sentence thresholds that flag the most erroneous sentences within the budget.

    A sentence is flagged when its strongest token reaches ``token`` or its error probability
    reaches ``warn``; ``fail`` (major) gets the tighter budget.
    """
    clean = [i for i, y in enumerate(labels) if not y]
    errors = [i for i, y in enumerate(labels) if y]
    allowed = math.floor(FLAG_BUDGET * len(clean))
    best: tuple[int, float, float] | None = None
    for k_tok in range(allowed + 1):
        token = _above([p_token[i] for i in clean], k_tok)
        left = [i for i in clean if p_token[i] < token]
        warn = _above([p_error[i] for i in left], allowed - (len(clean) - len(left)))
        caught = sum(1 for i in errors if p_token[i] >= token or p_error[i] >= warn)
        if best is None or caught > best[0]:
            best = (caught, token, warn)
    assert best is not None
    _, token, warn = best
    fail = max(warn, _above([p_error[i] for i in clean], math.floor(FAIL_BUDGET * len(clean))))
    return {"token": token, "warn": warn, "fail": fail}


def calibrate(model_dir: Path, data_dir: Path, seed: int = 0) -> dict:
    from mtqa.qe.scorer import META_FILE, QEScorer, write_sums

    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    _, val = dataset.build(data_dir, meta["training"]["seed"])
    scorer = QEScorer(model_dir)
    logits, tokens = raw_predictions(scorer, val)
    labels = [int(e.has_error) for e in val]
    a, b = fit_platt(logits, labels)
    p_error = [1 / (1 + math.exp(-(a * s + b))) for s in logits]
    p_token = [1 / (1 + math.exp(-t)) for t in tokens]
    thresholds = choose_thresholds(p_error, p_token, labels)
    flagged = [
        int(pe >= thresholds["warn"] or pt >= thresholds["token"])
        for pe, pt in zip(p_error, p_token, strict=True)
    ]
    meta["calibration"] = {"a": a, "b": b}
    meta["thresholds"] = thresholds
    meta["validation"] = {
        "examples": len(val),
        "auc": roc_auc(p_error, labels),
        "auc_max_token": roc_auc(p_token, labels),
        "clean_flagged": sum(f for f, y in zip(flagged, labels, strict=True) if not y) / labels.count(0),
        "errors_flagged": sum(f for f, y in zip(flagged, labels, strict=True) if y) / labels.count(1),
    }
    (model_dir / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    write_sums(model_dir)
    return meta


def raw_predictions(scorer: QEScorer, examples: Sequence[dataset.Example]) -> tuple[list[float], list[float]]:
    """Uncalibrated sentence logits and the strongest token logit of each example."""
    raw = scorer.raw(examples)  # batched as checking batches: int8 scores depend on it
    return [r.sentence_logit for r in raw], [max(r.token_logits) for r in raw]


def main(argv: Sequence[str] | None = None) -> None:
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description="Calibrate the mtqa QE model on its held-out split.")
    parser.add_argument("--model", type=Path, default=model_dir())
    parser.add_argument("--data", type=Path, default=root / "models" / "data")
    args = parser.parse_args(argv)
    meta = calibrate(args.model, args.data)
    print(json.dumps({"thresholds": meta["thresholds"], "validation": meta["validation"]}, indent=2))


if __name__ == "__main__":
    main()
