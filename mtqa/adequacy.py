"""Is the whole source in the French, and only the source? Sentence-level signals for an
aligned pair, read with the multilingual encoder (``mtqa.embed``).

Two things go missing or creep in without breaking the French: a clause of the source
(an omission) and a detail the source never gave (an addition). Both move the pair's
cross-lingual similarity a little, and its length ratio more. The sharpest signal is a
deletion test: if the French reads closer to the source *without* one of its clauses,
that clause is likely missing from the French; if the source reads closer to the French
without one of its clauses, that clause is likely added.

The weights of the two logistic scores come from the training pairs (``python -m
mtqa.train.adequacy``), never from the devset.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parent / "checks" / "adequacy.json"
FRENCH_PER_ENGLISH = 1.15

# Where a clause can be cut out and leave a sentence: commas, semicolons, dashes, and before
# the words that open a relative, adverbial or reported clause.
_EN_CUT = re.compile(
    r",\s+|;\s+|\s+[-–—]\s+|\s+(?=(?:which|who|whom|whose|but|while|though|although|after|before|because"
    r"|despite|as well as|and|where|when|with|according to|saying|amid|since|until|including)\b)"
)
_FR_CUT = re.compile(
    r",\s+|;\s+|\s+[-–—]\s+|\s+(?=(?:qui|que|qu['’]|dont|mais|alors que|tandis que|bien que|après|avant"
    r"|parce que|malgré|ainsi que|et|où|lorsque|quand|avec|selon|pour|depuis|jusqu['’]|notamment)\b)"
)
MAX_CLAUSES = 6  # per side: beyond it, the longest clauses are tested
# No deletion test on a side longer than this: each deletion is one more encoder pass over
# the whole sentence (seconds for a run-on page fragment), one clause among many barely moves
# the similarity, and the weights were fitted on sentences of at most 411 characters.
MAX_DELETION_CHARS = 1_000


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int


def clauses(text: str, english: bool) -> list[Clause]:
    """The pieces a sentence can lose and still read as one (at least two words each)."""
    cut = _EN_CUT if english else _FR_CUT
    spans, last = [], 0
    for m in cut.finditer(text):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, len(text)))
    found = [Clause(s, e) for s, e in spans if len(text[s:e].split()) >= 2]
    if len(found) < 2:
        return []
    return sorted(sorted(found, key=lambda c: c.start - c.end)[:MAX_CLAUSES], key=lambda c: c.start)


def without(text: str, c: Clause) -> str:
    return " ".join((text[: c.start] + " " + text[c.end :]).split())


@dataclass(frozen=True, slots=True)
class PairSignals:
    similarity: float
    length_ratio: float  # log of French length over the expected French length
    omission_gain: float  # best similarity gained by deleting one source clause (-0.1: none to delete)
    addition_gain: float  # the same, deleting one French clause
    missing: str | None  # the source clause whose deletion gains most
    added: tuple[int, int] | None  # the French clause whose deletion gains most, as a span

    def features(self) -> list[float]:
        return [self.similarity, self.length_ratio, _clip(self.omission_gain), _clip(self.addition_gain)]


GAIN_BOUND = 0.1  # deletion gains are clipped to ±GAIN_BOUND, so a score can be bounded without them


def _clip(gain: float) -> float:
    return min(max(gain, -GAIN_BOUND), GAIN_BOUND)


def length_ratio(en: str, fr: str) -> float:
    return math.log(max(len(fr), 1) / (FRENCH_PER_ENGLISH * max(len(en), 1)))


def signals(pairs: Sequence[tuple[str, str]]) -> list[PairSignals]:
    """The signals of each (English, French) pair, with one batch of encoder calls."""
    from mtqa.embed import embed

    texts: list[str] = []
    plans = []
    for en, fr in pairs:
        testable = len(en) <= MAX_DELETION_CHARS and len(fr) <= MAX_DELETION_CHARS
        en_clauses, fr_clauses = (clauses(en, True), clauses(fr, False)) if testable else ([], [])
        base = len(texts)
        texts += [en, fr] + [without(en, c) for c in en_clauses] + [without(fr, c) for c in fr_clauses]
        plans.append((base, en_clauses, fr_clauses))
    vectors = embed(texts)
    out = []
    for (en, fr), (base, en_clauses, fr_clauses) in zip(pairs, plans, strict=True):
        e, f = vectors[base], vectors[base + 1]
        sim = float(e @ f)
        k = base + 2
        om = [float(vectors[k + i] @ f) - sim for i in range(len(en_clauses))]
        k += len(en_clauses)
        ad = [float(e @ vectors[k + i]) - sim for i in range(len(fr_clauses))]
        best_om = int(np.argmax(om)) if om else -1
        best_ad = int(np.argmax(ad)) if ad else -1
        out.append(
            PairSignals(
                similarity=sim,
                length_ratio=length_ratio(en, fr),
                omission_gain=om[best_om] if om else -0.1,
                addition_gain=ad[best_ad] if ad else -0.1,
                missing=en[en_clauses[best_om].start : en_clauses[best_om].end] if om else None,
                added=(fr_clauses[best_ad].start, fr_clauses[best_ad].end) if ad else None,
            )
        )
    return out


@dataclass(frozen=True)
class Scorer:
    """A logistic score over ``PairSignals.features``, standardised, with its alarm threshold."""

    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float

    def score(self, s: PairSignals) -> float:
        z = sum(
            w * (x - m) / sd
            for w, x, m, sd in zip(self.weights, s.features(), self.mean, self.scale, strict=True)
        )
        return z + self.bias

    def alarm(self, s: PairSignals) -> bool:
        return self.score(s) > self.threshold

    def could_alarm(self, similarity: float, length_ratio: float) -> bool:
        """Whether some deletion gains could push this pair over the threshold: pairs that
        cannot are spared the encoder calls of the deletion test."""
        best = 0.0
        for k, x in enumerate((similarity, length_ratio, None, None)):
            w, m, sd = self.weights[k], self.mean[k], self.scale[k]
            if x is None:  # a gain: take the bound that raises the score most
                x = GAIN_BOUND if w > 0 else -GAIN_BOUND
            best += w * (x - m) / sd
        return best + self.bias > self.threshold


@cache
def scorers() -> dict[str, Scorer]:
    """The omission and addition scorers fitted by ``mtqa.train.adequacy``."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    fields = ("mean", "scale", "weights", "bias", "threshold")
    return {name: Scorer(**{k: data[name][k] for k in fields}) for name in ("omission", "addition")}
