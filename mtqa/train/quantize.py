"""Measure the smoothing factors of the int8 encoder: ``python -m mtqa.train.quantize``.

For each layer, the largest absolute GELU output per channel over 512 training examples,
and the FFN weight's largest absolute value per input channel, give SmoothQuant's factor
``s = act_max ** alpha / weight_max ** (1 - alpha)`` (see ``mtqa.qe.quantized``). ``alpha``
is the candidate whose int8 sentence logits stay closest to the float ones on 512 other
training examples: the aim is to compute what the float model computes, so no label and no
evaluation set is read. Writes ``weights/smooth.safetensors``, a ``quantization`` entry in
``qe.json`` and ``SHA256SUMS``; the thresholds must then be re-chosen (``mtqa.train.calibrate``,
then ``eval/realdev/calibrate.py``), as after training.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from mtqa.qe.inputs import Example
from mtqa.qe.scorer import BATCH, META_FILE, SMOOTH_FILE, QEScorer, model_dir, tokenized_batches, write_sums
from mtqa.train import dataset

ALPHAS = (0.5, 0.6, 0.7, 0.8, 0.9)
SAMPLE = 512


def activation_max(scorer: QEScorer, examples: Sequence[Example]) -> list[np.ndarray]:
    """Each layer's largest absolute GELU output per channel, over real (unpadded) tokens."""
    net = scorer.network
    peaks: list[np.ndarray] | None = None
    for _, t in tokenized_batches(scorer.tokenizer, examples, BATCH):
        gelu: list[np.ndarray] = []
        x = net.embed(t.input_ids, t.attention_mask)
        net.float_layers(x, t.attention_mask, gelu_out=gelu)
        real = t.attention_mask.astype(bool)
        batch_max = [np.abs(g[real]).max(axis=0) for g in gelu]
        peaks = (
            batch_max if peaks is None else [np.maximum(a, b) for a, b in zip(peaks, batch_max, strict=True)]
        )
    assert peaks is not None
    return peaks


def factors(scorer: QEScorer, peaks: Sequence[np.ndarray], alpha: float) -> list[np.ndarray]:
    out = []
    for layer, act in zip(scorer.network.layers, peaks, strict=True):
        weight = np.abs(layer["ffn"].weight_t).max(axis=1)  # per input channel
        s = np.maximum(act, 1e-5) ** alpha / np.maximum(weight, 1e-5) ** (1 - alpha)
        out.append(s.astype(np.float32))
    return out


def logits(scorer: QEScorer, examples: Sequence[Example]) -> np.ndarray:
    """Sentence logits as checking computes them (``QEScorer.raw`` batches as checking does)."""
    return np.array([r.sentence_logit for r in scorer.raw(examples)], dtype=np.float32)


def quantize(model_dir: Path, data_dir: Path) -> dict:
    """Measure and write the smoothing factors of the model in ``model_dir``; return ``qe.json``."""
    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    train, _ = dataset.build(data_dir, meta["training"]["seed"])
    sample = random.Random(0).sample(train, 2 * SAMPLE)
    measure = [Example(e.fr, e.en, ()) for e in sample[:SAMPLE]]
    choose = [Example(e.fr, e.en, ()) for e in sample[SAMPLE:]]

    scorer = QEScorer(model_dir, quantized=False)
    peaks = activation_max(scorer, measure)
    reference = logits(scorer, choose)
    trials = []
    for alpha in ALPHAS:
        scorer.network.quantize(factors(scorer, peaks, alpha))
        gap = np.abs(logits(scorer, choose) - reference)
        trials.append((float(gap.mean()), alpha, float(gap.max())))
        print(f"alpha {alpha}: mean |logit change| {gap.mean():.4f}, max {gap.max():.4f}")
    mean_gap, alpha, max_gap = min(trials)
    chosen = factors(scorer, peaks, alpha)
    save_file({f"layer.{i}.ffn_smooth": s for i, s in enumerate(chosen)}, str(model_dir / SMOOTH_FILE))
    meta["quantization"] = {
        "weights": "int8, symmetric, one scale per output column; activations uint8 per tensor, dynamic",
        "smooth_alpha": alpha,
        "measured_on": f"{SAMPLE} training examples (seed 0); alpha chosen on {SAMPLE} others",
        "mean_abs_logit_change": mean_gap,
        "max_abs_logit_change": max_gap,
    }
    (model_dir / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    write_sums(model_dir)
    print(f"alpha {alpha} written to {model_dir / SMOOTH_FILE}")
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=model_dir())
    parser.add_argument("--data", type=Path, default=root / "models" / "data")
    args = parser.parse_args(argv)
    quantize(args.model, args.data)


if __name__ == "__main__":
    main()
