"""Set the model's alarm thresholds on real human-written French: the realdev DEV half only.

The thresholds that turn model scores into findings (MTQA901/902) were first set on the
model's own held-out split, text in the project's house style; on real pages they flagged
one human sentence in six. Here the clean side is every error-free sentence of the dev
half's human excerpts (page furniture left out, as the rules claim it), the error side the
dev MT sentences with a major error, and the budget a share of the human sentences.
The test half is never read. Rewrites ``mtqa/qe/weights/qe.json`` and its ``SHA256SUMS``.

It also fits the length prior (``mtqa.qe.scorer.length_prior``): how much a sentence's
length in tokens adds to the model's calibrated log-odds of an error, with the median
error-free human sentence as the reference length.

    python eval/realdev/calibrate.py [--budget 0.01] [--fail-budget 0.005] [--no-length] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from realdev import checked  # noqa: E402

from mtqa.api import Checker  # noqa: E402
from mtqa.config import Config  # noqa: E402
from mtqa.qe.inputs import Example  # noqa: E402
from mtqa.qe.metrics import roc_auc  # noqa: E402
from mtqa.qe.scorer import META_FILE, length_prior, load_scorer, model_dir, write_sums  # noqa: E402
from mtqa.train import calibrate as qe_calibrate  # noqa: E402


def dev_sentences() -> tuple[list[str], list[int]]:
    """(sentence, 1 if it holds a major MT error / 0 if error-free human) for the dev half."""
    texts, labels = [], []
    for rec, doc in checked(Checker(Config(model=False)), "dev"):
        for s in doc.sentences:
            if len(s.text.split()) < 3 or any(f.category == "boilerplate" for f in s.findings):
                continue
            errs = [e for e in rec["errors"] if e["start"] < s.end and s.start < e["end"]]
            if rec["kind"] == "human" and not errs:
                texts.append(s.text)
                labels.append(0)
            elif rec["kind"] == "mt" and any(e["severity"] == "major" for e in errs):
                texts.append(s.text)
                labels.append(1)
    return texts, labels


def fit_length(log_odds: list[float], lengths: list[int], labels: list[int], reference: float) -> float:
    """The length prior's weight: a logistic regression of the label on log(length / reference),
    with the model's calibrated log-odds as a fixed offset (Newton's method: deterministic)."""
    z = np.array(log_odds)
    x = np.stack([np.ones(len(z)), np.log(np.array(lengths) / reference)], axis=1)
    y = np.array(labels, dtype=float)
    w = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z + x @ w)))
        w -= np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x, x.T @ (p - y))
    return float(w[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=0.01, help="share of human sentences flagged")
    parser.add_argument("--fail-budget", type=float, default=0.005, help="… flagged as major")
    parser.add_argument("--no-length", action="store_true", help="no length prior (qe.scorer.length_prior)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()

    texts, labels = dev_sentences()
    scorer = load_scorer()
    plans = [scorer._plan(t, None) for t in texts]
    keep = [i for i, p in enumerate(plans) if len(p.pieces) == 1]
    texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    logits, tokens = qe_calibrate.raw_predictions(scorer, [Example(t, None, ()) for t in texts])
    cal = {k: v for k, v in scorer.meta["calibration"].items() if k in ("a", "b")}
    model_log_odds = [cal["a"] * s + cal["b"] for s in logits]
    log_odds = model_log_odds
    if not args.no_length:
        lengths = [plans[i].tokens for i in keep]
        cal["reference_tokens"] = float(
            statistics.median(n for n, y in zip(lengths, labels, strict=True) if not y)
        )
        cal["per_log_token"] = round(fit_length(model_log_odds, lengths, labels, cal["reference_tokens"]), 6)
        log_odds = [z + length_prior(cal, n) for z, n in zip(model_log_odds, lengths, strict=True)]
    p_error = [1 / (1 + math.exp(-z)) for z in log_odds]
    p_token = [1 / (1 + math.exp(-max(t, -700))) for t in tokens]

    qe_calibrate.FLAG_BUDGET, qe_calibrate.FAIL_BUDGET = args.budget, args.fail_budget
    thresholds = qe_calibrate.choose_thresholds(p_error, p_token, labels)
    flagged = [
        int(pe >= thresholds["warn"] or pt >= thresholds["token"])
        for pe, pt in zip(p_error, p_token, strict=True)
    ]
    human = labels.count(0)
    report = {
        "thresholds": thresholds,
        "source": "realdev dev half: error-free human sentences and MT sentences with a major error",
        "budget": args.budget,
        "fail_budget": args.fail_budget,
        "sentences": {"human": human, "major_error": labels.count(1)},
        "human_flagged": sum(f for f, y in zip(flagged, labels, strict=True) if not y) / human,
        "errors_flagged": sum(f for f, y in zip(flagged, labels, strict=True) if y) / max(1, labels.count(1)),
        "auc": roc_auc(p_error, labels),
        "auc_without_length": roc_auc(model_log_odds, labels),
    }
    print(json.dumps(report, indent=2))
    if not args.dry_run:
        folder = model_dir()
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        meta.setdefault("thresholds_validation_split", meta["thresholds"])
        meta["thresholds"] = thresholds
        meta["calibration"] = cal
        meta["thresholds_real_text"] = {k: v for k, v in report.items() if k != "thresholds"}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        write_sums(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
