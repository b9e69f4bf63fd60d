"""Fit the omission and addition scores of ``mtqa.adequacy`` on the training pairs.

    python -m mtqa.train.adequacy            # writes mtqa/checks/adequacy.json

Positives are the training records whose only errors are omissions (or additions), in
``models/data/mt_errors_*.jsonl``; negatives are the clean pairs of ``models/data``, the
error-free training records and the references of all training records. Each score's
threshold lets through BUDGET of the clean pairs. The devset is never read here.
"""

from __future__ import annotations

import glob
import json
import random
from pathlib import Path

import numpy as np

from mtqa.adequacy import WEIGHTS, signals
from mtqa.cache import write_atomic

DATA = Path(__file__).resolve().parents[2] / "models" / "data"
BUDGET = 0.001  # per score: clean pairs differ more from the source in real copy than here
CLEAN_SAMPLE = 1500
SEED = 0


def training_pairs() -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(SEED)
    out: dict[str, list[tuple[str, str]]] = {"clean": [], "omission": [], "addition": []}
    for path in sorted(glob.glob(str(DATA / "mt_errors_*.jsonl"))):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            cats = {e["category"] for e in r["errors"]}
            # References are freer than MT (explicitations, reordering): the clean pairs a
            # newsroom's own copy looks like.
            if r.get("ref_fr"):
                out["clean"].append((r["source_en"], r["ref_fr"]))
            if not cats:
                out["clean"].append((r["source_en"], r["mt_fr"]))
            elif cats in ({"omission"}, {"addition"}):
                out[cats.pop()].append((r["source_en"], r["mt_fr"]))
    clean = []
    for path in sorted(glob.glob(str(DATA / "clean_pairs_*.jsonl"))):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            clean.append((r["en"], r["fr"]))
    out["clean"] += rng.sample(clean, min(CLEAN_SAMPLE, len(clean)))
    return out


def fit(pos: np.ndarray, neg: np.ndarray, steps: int = 4000, lr: float = 0.5) -> dict:
    x = np.r_[pos, neg]
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    # Classes weighted equally: there are many more clean pairs.
    weight = np.where(y == 1, len(y) / (2 * len(pos)), len(y) / (2 * len(neg)))
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / scale
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * weight
        w -= lr * (z.T @ g / len(y) + 1e-3 * w)
        b -= lr * g.mean()
    neg_scores = ((neg - mean) / scale) @ w + b
    pos_scores = ((pos - mean) / scale) @ w + b
    threshold = float(np.quantile(neg_scores, 1 - BUDGET))
    return {
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "weights": w.round(6).tolist(),
        "bias": round(float(b), 6),
        "threshold": round(threshold, 6),
        "fitted_on": {
            "positives": len(pos),
            "clean": len(neg),
            "recall": round(float((pos_scores > threshold).mean()), 3),
            "clean_flagged": round(float((neg_scores > threshold).mean()), 4),
        },
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", type=Path, help="keep the features in this .npz (reused if there)")
    args = parser.parse_args()
    if args.features and args.features.exists():
        feats = dict(np.load(args.features))
    else:
        pairs = training_pairs()
        feats = {k: np.array([s.features() for s in signals(v)]) for k, v in pairs.items()}
        if args.features:
            np.savez(args.features, **feats)
    result = {name: fit(feats[name], feats["clean"]) for name in ("omission", "addition")}
    result["features"] = ["similarity", "length_ratio", "omission_gain", "addition_gain"]
    write_atomic(WEIGHTS, (json.dumps(result, indent=1) + "\n").encode())
    for name in ("omission", "addition"):
        print(name, result[name]["fitted_on"])


if __name__ == "__main__":
    main()
