"""Training examples for the QE model, built from the project's own data in models/data/:

- clean EN→FR pairs (written for the project) → good examples, and MT-like corruptions
  of them with exact word labels (``mtqa.train.corrupt``);
- hand-written MT errors in the devset format → realistic bad examples, and their
  references → good examples.

The English source is shown for a share of examples so one model serves both modes; it is
always shown for errors only visible against it (numbers, omissions, additions).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tokenizers import Tokenizer

from mtqa.qe.inputs import Example, tokenize

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerFast

SOURCE_SHARE = 0.5


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def held_out(key: str, share: float = 0.1) -> bool:
    """A stable split: the same record always lands on the same side, whatever the seed."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return digest[0] / 256 < share


def _maybe(en: str | None, rng: random.Random) -> str | None:
    return en if en and rng.random() < SOURCE_SHARE else None


def handwritten_examples(path: Path, rng: random.Random) -> tuple[list[Example], list[Example]]:
    train: list[Example] = []
    val: list[Example] = []
    source_only = {"omission", "addition", "number-mismatch"}
    for rec in _read_jsonl(path):
        out = val if held_out(rec["id"]) else train
        spans = []
        for err in rec["errors"]:
            start = rec["mt_fr"].find(err["phrase"])
            if start >= 0 and err["phrase"]:
                spans.append((start, start + len(err["phrase"])))
        cats = {e["category"] for e in rec["errors"]}
        en = rec["source_en"] if cats & source_only else _maybe(rec["source_en"], rng)
        out.append(Example(rec["mt_fr"], en, tuple(sorted(spans)), ",".join(sorted(cats))))
        if rec["errors"] and rec["ref_fr"] != rec["mt_fr"]:
            out.append(Example(rec["ref_fr"], _maybe(rec["source_en"], rng), ()))
    return train, val


def corrupted_examples(
    pairs: Iterable[dict], rng: random.Random, per_pair: int = 3
) -> tuple[list[Example], list[Example]]:
    from mtqa.train.corrupt import corrupt

    train: list[Example] = []
    val: list[Example] = []
    for pair in pairs:
        out = val if held_out(pair["en"]) else train
        out.append(Example(pair["fr"], _maybe(pair["en"], rng), ()))
        for _ in range(per_pair):
            c = corrupt(pair["fr"], pair["en"], rng)
            if c is None:
                continue
            en = pair["en"] if c.needs_source else _maybe(pair["en"], rng)
            out.append(Example(c.fr, en, tuple(c.bad), c.category))
    return train, val


def build(data_dir: Path, seed: int = 0, per_pair: int = 3) -> tuple[list[Example], list[Example]]:
    """(train, validation) examples, deterministic for a seed."""
    rng = random.Random(seed)
    pairs: list[dict] = []
    for path in sorted(data_dir.glob("clean_pairs_*.jsonl")):
        pairs += _read_jsonl(path)
    train, val = corrupted_examples(pairs, rng, per_pair)
    for path in sorted(data_dir.glob("mt_errors_*.jsonl")):
        t, v = handwritten_examples(path, rng)
        # Real MT errors are the scarcest and most realistic signal: show them twice.
        train += t + t
        val += v
    rng.shuffle(train)
    return train, val


@dataclass
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    target_mask: torch.Tensor  # 1 on French tokens
    token_labels: torch.Tensor  # 1 BAD, 0 OK, -100 ignored
    sentence_labels: torch.Tensor  # 1 when the sentence has an error
    offsets: list[list[tuple[int, int]]]


def encode(tokenizer: Tokenizer | PreTrainedTokenizerFast, examples: Sequence[Example]) -> Batch:
    """``tokenize`` as torch tensors, with sentence labels, for training."""
    import torch

    t = tokenize(tokenizer, examples)
    sentence = torch.tensor([float(ex.has_error) for ex in examples])
    return Batch(
        torch.from_numpy(t.input_ids),
        torch.from_numpy(t.attention_mask),
        torch.from_numpy(t.target_mask),
        torch.from_numpy(t.token_labels),
        sentence,
        t.offsets,
    )
