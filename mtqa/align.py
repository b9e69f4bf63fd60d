"""Sentence alignment between the English source and the French, in the manner of Vecalign.

Each side is split into segments (sentences, headlines, datelines). A link joins one or two
source segments with one or two French ones (1-1, 1-2, 2-1), or leaves a segment alone
(1-0: an omission; 0-1: an addition). The best monotone chain of links is found by dynamic
programming over three costs:

- meaning: how far apart the two sides read in the multilingual encoder (``mtqa.embed``),
  scaled by how far each side reads from the rest of the document, so that a topic's
  shared vocabulary does not make every pair look alike (Vecalign's normalisation);
- length: French runs about 15 % longer than English; a pair far off that ratio costs more;
- layout: a headline or dateline linked with a body sentence costs more, so that captions
  and datelines stay in their place.

The search is confined to a band around the diagonal, so it is linear in the length of
the document. The same code aligns French with a French reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mtqa.document import Document, SegmentKind, Sentence
from mtqa.limits import ALIGN_MAX_CHARS
from mtqa.segment import segment

# Tuned on feeds built from the training pairs (eval/align/build.py --from training),
# never on the devset feeds that measure the aligner.
SKIP_COST = 0.45  # one segment left without a counterpart
MERGE_COST = 0.3  # a 2-1 or 1-2 link, on top of its meaning cost
LENGTH_WEIGHT = 0.5  # per unit of |log(French / expected French length)|
LENGTH_CAP = 0.4  # |log ratio| beyond which length says nothing more
KIND_COST = 0.45  # a headline or dateline linked with a body sentence
FRENCH_PER_ENGLISH = 1.15  # characters, in news copy
# 1 - cosine between unrelated news sentences in e5 (0.20-0.22 on the training feeds).
SPREAD_PRIOR = 0.21
PRIOR_WEIGHT = 4
BAND = 12  # half-width of the search band, beyond the two sides' length difference
MAX_BAND = 60

_MOVES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))


@dataclass(frozen=True, slots=True)
class Link:
    """Source segments ``source`` translated by French segments ``target`` (either may be empty)."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    similarity: float | None = None  # cosine of the two sides in the encoder; None for a skip


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    kind: SegmentKind = SegmentKind.SENTENCE


def _normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)


def _pairs(vectors: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Embeddings of each two adjacent segments read as one: e5 mean-pools its tokens, so the
    length-weighted mean of the two is close to what the encoder gives the joined text."""
    if len(vectors) < 2:
        return np.zeros((0, vectors.shape[1]), dtype=vectors.dtype)
    w = lengths[:, None].astype(np.float32)
    return _normalised(vectors[:-1] * w[:-1] + vectors[1:] * w[1:])


def _spread(a: np.ndarray, b: np.ndarray, samples: int = 24) -> np.ndarray:
    """How far each row of ``a`` reads from the rows of ``b`` on average (1 - cosine), over an
    evenly spaced sample of ``b``: the yardstick that meaning costs are scaled by. A short
    document gives too few rows to measure it, so the measure starts from a prior worth
    PRIOR_WEIGHT rows (a one-sentence pair must not be its own yardstick)."""
    if len(b) == 0:
        return np.full(len(a), SPREAD_PRIOR, dtype=np.float32)
    pick = np.unique(np.linspace(0, len(b) - 1, min(samples, len(b))).round().astype(int))
    total = np.maximum(1.0 - a @ b[pick].T, 1e-3).sum(axis=1)
    return (total + SPREAD_PRIOR * PRIOR_WEIGHT) / (len(pick) + PRIOR_WEIGHT)


class _Costs:
    """Link costs between blocks of source segments [i, i+a) and French segments [j, j+b)."""

    def __init__(
        self,
        src: Sequence[Segment],
        tgt: Sequence[Segment],
        es: np.ndarray,
        et: np.ndarray,
        ratio: float = FRENCH_PER_ENGLISH,
    ) -> None:
        self.ratio = ratio
        self.src, self.tgt = src, tgt
        self.ls = np.array([max(len(s.text), 1) for s in src], dtype=np.float32)
        self.lt = np.array([max(len(t.text), 1) for t in tgt], dtype=np.float32)
        self.vec = {(1, "s"): es, (1, "t"): et, (2, "s"): _pairs(es, self.ls), (2, "t"): _pairs(et, self.lt)}
        self.spread_s = _spread(es, et)
        self.spread_t = _spread(et, es)

    def similarity(self, i: int, a: int, j: int, b: int) -> float:
        return float(self.vec[(a, "s")][i] @ self.vec[(b, "t")][j])

    def cost(self, i: int, a: int, j: int, b: int) -> float:
        sim = self.similarity(i, a, j, b)
        yardstick = (self.spread_s[i : i + a].mean() + self.spread_t[j : j + b].mean()) / 2
        meaning = (1.0 - sim) / max(float(yardstick), 1e-3)
        ratio = self.lt[j : j + b].sum() / (self.ratio * self.ls[i : i + a].sum())
        # Capped: a translation that drops half its source is still that source's translation
        # (an omission inside the pair, for mtqa.adequacy), not two unrelated sentences.
        length = LENGTH_WEIGHT * min(abs(math.log(ratio)), LENGTH_CAP)
        kinds = {s.kind for s in self.src[i : i + a]} | {t.kind for t in self.tgt[j : j + b]}
        layout = KIND_COST if len(kinds) > 1 else 0.0
        merge = MERGE_COST if a + b > 2 else 0.0
        return meaning * (a + b) / 2 + length + layout + merge


def align_embedded(
    src: Sequence[Segment],
    tgt: Sequence[Segment],
    es: np.ndarray,
    et: np.ndarray,
    ratio: float = FRENCH_PER_ENGLISH,
) -> list[Link]:
    """The cheapest monotone chain of links, given each segment's normalised embedding;
    ``ratio`` is the expected length of the target over the source (1.0 for French with a
    French reference)."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Link((i,), ()) for i in range(n)] + [Link((), (j,)) for j in range(m)]
    costs = _Costs(src, tgt, es, et, ratio)
    band = min(BAND + abs(n - m), MAX_BAND)

    inf = float("inf")
    best: dict[tuple[int, int], tuple[float, tuple[int, int]]] = {(0, 0): (0.0, (0, 0))}
    for i in range(n + 1):
        centre = i * m / n
        for j in range(max(0, int(centre - band - 2)), min(m, int(centre + band + 2)) + 1):
            if (i, j) == (0, 0):
                continue
            choice = (inf, (0, 0))
            for a, b in _MOVES:
                prev = best.get((i - a, j - b))
                if prev is None:
                    continue
                step = SKIP_COST if a == 0 or b == 0 else costs.cost(i - a, a, j - b, b)
                if prev[0] + step < choice[0]:
                    choice = (prev[0] + step, (a, b))
            if choice[0] < inf:
                best[(i, j)] = choice
    links: list[Link] = []
    i, j = n, m
    if (n, m) not in best:  # unreachable in practice: the band always holds the corner
        raise RuntimeError("alignment band does not reach the end of the document")
    while (i, j) != (0, 0):
        a, b = best[(i, j)][1]
        i, j = i - a, j - b
        sim = None if a == 0 or b == 0 else round(costs.similarity(i, a, j, b), 4)
        links.append(Link(tuple(range(i, i + a)), tuple(range(j, j + b)), sim))
    return links[::-1]


def align(
    source: Sequence[Segment | str], target: Sequence[Segment | str], ratio: float = FRENCH_PER_ENGLISH
) -> list[Link]:
    """Align two lists of segments (or plain sentences); every index appears in one link.
    ``ratio``: the target's expected length over the source's (English to French: 1.15)."""
    from mtqa.embed import embed

    src = [s if isinstance(s, Segment) else Segment(s) for s in source]
    tgt = [t if isinstance(t, Segment) else Segment(t) for t in target]
    return align_embedded(src, tgt, embed([s.text for s in src]), embed([t.text for t in tgt]), ratio)


def _segments(sentences: Sequence[Sentence]) -> list[Segment]:
    return [Segment(s.text, s.kind) for s in sentences]


def align_document(doc: Document) -> list[Link]:
    """Align ``doc``'s French sentences with its source and record the result on the document:
    each sentence's ``source_spans`` and ``similarity``, and the unmatched ``unaligned_source``."""
    if not doc.source or not doc.sentences:
        return []
    source = [s for s in segment(doc.source) if s.start < ALIGN_MAX_CHARS / FRENCH_PER_ENGLISH]
    french = [s for s in doc.sentences if s.start < ALIGN_MAX_CHARS]
    links = align(_segments(source), _segments(french))
    if len(french) < len(doc.sentences) or doc.source[source[-1].end if source else 0 :].strip():
        # One side was cut: the last segments' counterparts may lie beyond the cut.
        links = [k for k in links if (k.source and k.target) or not _near_end(k, len(source), len(french))]
    for link in links:
        spans = [(source[i].start, source[i].end) for i in link.source]
        if not link.target:
            doc.unaligned_source.extend(spans)
        for j in link.target:
            doc.sentences[j].source_spans = spans
            doc.sentences[j].similarity = link.similarity
    return links


def _near_end(link: Link, n_source: int, n_french: int, tail: int = 3) -> bool:
    return any(i >= n_source - tail for i in link.source) or any(j >= n_french - tail for j in link.target)
