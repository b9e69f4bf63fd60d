"""Synthetic MT-like errors for training the quality-estimation model.

Each generator takes a clean French sentence (and the English source when it has one) and
returns a Corruption: the damaged French plus the exact character spans of the wrong words,
from which word-level OK/BAD tags follow by overlapping tokens with spans. A generator returns
None when its error cannot be made in that sentence, so `corrupt` can fall back to another.

Everything random goes through the caller's `random.Random`, and no choice iterates a set, so
a seed reproduces the same corruptions in any process.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from mtqa.train.corrupt.base import SEVERITIES, Corruption, check_spans
from mtqa.train.corrupt.content import addition, number, omission
from mtqa.train.corrupt.garbled import garble
from mtqa.train.corrupt.grammar import agreement, conjugation, preposition, reflexive
from mtqa.train.corrupt.layout import boilerplate, typography
from mtqa.train.corrupt.leftovers import untranslated
from mtqa.train.corrupt.lexical import load_substitutions, substitution, word_sense
from mtqa.train.corrupt.senses import pivot_sense

__all__ = [
    "GENERATORS",
    "NEEDS_SOURCE",
    "NOT_FOR_THE_MODEL",
    "SEVERITIES",
    "Corruption",
    "check_spans",
    "corrupt",
    "load_substitutions",
]

# ---------------------------------------------------------------------------- registry

Generator = Callable[[str, str | None, random.Random], Corruption | None]
GENERATORS: dict[str, Generator] = {
    "substitution": substitution,
    "reflexive": reflexive,
    "agreement": agreement,
    "conjugation": conjugation,
    "preposition": preposition,
    "untranslated": untranslated,
    "garble": garble,
    "word_sense": word_sense,
    "pivot_sense": pivot_sense,
    "number": number,
    "omission": omission,
    "addition": addition,
    "typography": typography,
    "boilerplate": boilerplate,
}
# Substitution is the richest source of realistic errors; reflexive and conjugation rarely apply,
# so they weigh more when they do; boilerplate applies everywhere and would swamp the rest.
WEIGHTS: dict[str, float] = {
    "substitution": 8.0,
    "reflexive": 3.0,
    "agreement": 2.0,
    "conjugation": 2.0,
    "preposition": 1.5,
    "untranslated": 1.5,
    "garble": 1.5,
    "word_sense": 1.5,
    "number": 1.5,
    "omission": 1.5,
    "addition": 1.0,
    "typography": 1.0,
    "boilerplate": 0.5,
}
NEEDS_SOURCE = frozenset({"number", "omission", "addition"})
# Page furniture is the rules' business (MTQA6xx), and real human pages are full of it: a
# model taught that furniture is an error flags good articles. Wrong senses through a pivot
# did not help the model on real articles: trained with them (a fifth or a tenth of the
# corruptions), its sentence AUC on the realdev dev half went from 0.682 to 0.656 and 0.681
# (models/README.md). Both are only asked for by name.
NOT_FOR_THE_MODEL = frozenset({"boilerplate", "pivot_sense"})


def corrupt(
    fr: str, en: str | None, rng: random.Random, kinds: Sequence[str] | None = None
) -> Corruption | None:
    """Apply one randomly chosen (weighted) applicable generator; None if none applies.

    Without a source and without explicit `kinds`, generators whose errors only show against the
    English (number, omission, addition) are skipped: a French-only model could not see them.
    """
    if kinds is None:
        pool = [
            k for k in GENERATORS if (en is not None or k not in NEEDS_SOURCE) and k not in NOT_FOR_THE_MODEL
        ]
    else:
        unknown = [k for k in kinds if k not in GENERATORS]
        if unknown:
            raise ValueError(f"unknown generator(s): {', '.join(unknown)}")
        pool = list(dict.fromkeys(kinds))
    while pool:
        kind = rng.choices(pool, weights=[WEIGHTS.get(k, 1.0) for k in pool])[0]
        result = GENERATORS[kind](fr, en, rng)
        if result is not None:
            return result
        pool.remove(kind)
    return None


def _coverage(n: int = 2000, seed: int = 0) -> None:
    """Print how often each generator applies on n random clean pairs, and what corrupt() picks."""
    import json

    data = Path(__file__).resolve().parents[3] / "models" / "data"
    pairs = []
    for name in ("clean_pairs_world.jsonl", "clean_pairs_society.jsonl"):
        with open(data / name, encoding="utf-8") as fh:
            pairs += [json.loads(line) for line in fh if line.strip()]
    rng = random.Random(seed)
    sample = rng.sample(pairs, min(n, len(pairs)))
    applies = dict.fromkeys(GENERATORS, 0)
    picked = dict.fromkeys(GENERATORS, 0)
    for i, pair in enumerate(sample):
        for kind, gen in GENERATORS.items():
            if gen(pair["fr"], pair["en"], random.Random(f"{seed}-{i}-{kind}")) is not None:
                applies[kind] += 1
        chosen = corrupt(pair["fr"], pair["en"], rng)
        if chosen:
            picked[chosen.kind] += 1
    print(f"{len(sample)} clean pairs, seed {seed}; corrupted by corrupt(): {sum(picked.values())}")
    print(f"{'generator':<14} {'applies':>8} {'share':>7} {'picked':>7}")
    for kind in GENERATORS:
        print(f"{kind:<14} {applies[kind]:>8} {applies[kind] / len(sample):>7.1%} {picked[kind]:>7}")


if __name__ == "__main__":
    _coverage()
