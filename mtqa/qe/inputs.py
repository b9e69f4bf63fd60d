"""What the QE model reads: examples (French, optional English source, wrong spans) and
their tokenisation into numpy arrays, shared by checking and training."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mtqa.limits import MODEL_WINDOW_TOKENS
from mtqa.qe.normalize import normalize, to_original

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    from mtqa.qe.tokenizer import TextTokenizer

MAX_TOKENS = MODEL_WINDOW_TOKENS


@dataclass(frozen=True)
class Example:
    fr: str
    en: str | None
    bad: tuple[tuple[int, int], ...]  # character spans of wrong words in ``fr``
    category: str = ""

    @property
    def has_error(self) -> bool:
        return bool(self.bad)


@dataclass
class Tokens:
    """Tokenised examples as numpy arrays (what inference needs; no torch)."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    target_mask: np.ndarray  # 1 on French tokens
    token_labels: np.ndarray  # 1 BAD, 0 OK, -100 ignored
    offsets: list[list[tuple[int, int]]]  # character span of each token in the French, (0, 0) elsewhere


def tokenize(
    tokenizer: TextTokenizer | Tokenizer | PreTrainedTokenizerFast, examples: Sequence[Example]
) -> Tokens:
    """Tokenise (English, French) pairs or French alone; label French tokens from the spans.

    Works on what inference loads (``mtqa.qe.tokenizer.TextTokenizer``, without transformers),
    a raw ``tokenizers.Tokenizer``, or a transformers fast tokenizer wrapping one (training).
    """
    raw: TextTokenizer | Tokenizer = getattr(tokenizer, "backend_tokenizer", tokenizer)
    raw.enable_truncation(MAX_TOKENS, strategy="only_first")
    raw.no_padding()
    pad_id = raw.token_to_id("<pad>")
    # The model reads one typography (mtqa.qe.normalize); offsets map back to the text as written.
    french = [normalize(e.fr) for e in examples]
    rows = raw.encode_batch(
        [(normalize(e.en)[0], fr) if e.en else fr for e, (fr, _) in zip(examples, french, strict=True)]
    )
    width = max(len(r.ids) for r in rows)
    n = len(rows)
    input_ids = np.full((n, width), pad_id, dtype=np.int64)
    attention = np.zeros((n, width), dtype=np.int64)
    target = np.zeros((n, width), dtype=np.int64)
    labels = np.full((n, width), -100, dtype=np.float32)
    offsets: list[list[tuple[int, int]]] = []
    for i, (row, ex, (_, origin)) in enumerate(zip(rows, examples, french, strict=True)):
        input_ids[i, : len(row.ids)] = row.ids
        attention[i, : len(row.ids)] = 1
        french_seq = 1 if ex.en else 0
        row_offsets: list[tuple[int, int]] = []
        for j, (sid, (s, e)) in enumerate(zip(row.sequence_ids, row.offsets, strict=True)):
            if sid != french_seq or e <= s:
                row_offsets.append((0, 0))
                continue
            s, e = to_original(origin, s, e)
            row_offsets.append((s, e))
            target[i, j] = 1
            labels[i, j] = float(any(s < be and bs < e for bs, be in ex.bad))
        offsets.append(row_offsets)
    return Tokens(input_ids, attention, target, labels, offsets)
