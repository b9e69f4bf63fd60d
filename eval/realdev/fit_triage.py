"""Fit the document triage weights (mtqa/score/triage.json) on the realdev DEV half only.

A logistic regression of "machine-translated" on the triage features of each dev excerpt,
on standardised features with an L2 penalty (Newton's method: deterministic), once with the
model's feature and once without. The test half is never read.

    python eval/realdev/fit_triage.py [--l2 1.0] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from realdev import checked  # noqa: E402

from mtqa.api import Checker  # noqa: E402
from mtqa.config import Config  # noqa: E402
from mtqa.qe.metrics import roc_auc  # noqa: E402
from mtqa.score import triage  # noqa: E402

OUT = REPO / "mtqa" / "score" / "triage.json"


def dev_features(model: bool) -> tuple[list[dict], list[int]]:
    feats, labels = [], []
    for rec, doc in checked(Checker(Config(model=model)), "dev"):
        feats.append(triage.features(doc))
        labels.append(int(rec["kind"] == "mt"))
    return feats, labels


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression by Newton's method; returns (weights, bias)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.diag([l2] * (z.shape[1] - 1) + [0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty
        w -= np.linalg.solve(hess, grad)
    raw = w[:-1] / std
    return raw, float(w[-1] - (w[:-1] * mean / std).sum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    fitted: dict = {"source": "realdev dev half (eval/realdev/fit_triage.py)", "l2": args.l2}
    for kind, model in (("with_model", True), ("rules_only", False)):
        feats, labels = dev_features(model)
        names = [k for k in triage.FEATURES if model or k != "model_error"]
        x = np.array([[f[k] or 0.0 for k in names] for f in feats])
        y = np.array(labels, dtype=float)
        w, b = fit(x, y, args.l2)
        fitted[kind] = {
            "bias": round(b, 6),
            "weights": {k: round(float(v), 6) for k, v in zip(names, w, strict=True)},
        }
        scores = [triage.score(f, fitted) for f in feats]
        fitted[kind]["dev_auc"] = roc_auc(scores, labels)
        print(kind, json.dumps(fitted[kind]))
    if not args.dry_run:
        OUT.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
