"""Reference metrics: the French compared with a reference translation of the same article.

When a feed record carries a ``reference`` (a post-edited or human translation), the
reference is split into sentences and aligned with the French ones by ``mtqa.align`` (the
aligner of the bilingual mode, here French with French). Then:

- each French sentence of a link gets the reference spans it is aligned with and the
  link's sentence chrF (both sentences of a 2-1 link get the link's chrF; a French
  sentence aligned with nothing keeps ``chrf = None``);
- the document gets BLEU, chrF and TER as corpus scores over the aligned links
  (hypotheses: the French of each link, references: its reference text; an unaligned
  sentence counts against an empty counterpart), with each metric's sacrebleu signature so
  that figures can be compared across runs and sacrebleu versions.

Settings, all sacrebleu's defaults so that figures compare with published ones:

- BLEU: the ``13a`` tokenizer (the WMT convention, French included; ``intl`` would also
  split ’ and « », but it changes scores and is rarely used for French) and exponential
  smoothing;
- chrF2: character 6-grams, β = 2, no word n-grams. It is also the sentence metric (it needs
  no tokenizer and is steadier than BLEU on one sentence), so the document and sentence
  figures are the same metric; chrF++ would add word bigrams for little gain here;
- TER: case-insensitive, tercom tokenisation.

Cost. BLEU and chrF are linear in the text, but sacrebleu runs them in Python at about
20 s a megabyte; like the model, they score the links within the first ``MAX_CHARS``
(100,000) characters, and ``coverage`` says which share of the French that was (1.0 for
any ordinary article; sentences beyond keep ``chrf = None``). TER's shift search is worse:
sacrebleu tries up to 1,000 shifts per segment, and its cost per word grows fast with
segment length (about 8 ms a word for 30-word segments of repetitive text, 0.03 ms for real
translations). So TER is computed on pieces of at most ``TER_PIECE_WORDS`` words (a longer
link is cut into proportional pieces) and over the first ``TER_MAX_WORDS`` words of the
document; ``ter_coverage`` says which share of the scored French words it covered.

sacrebleu is imported here only, and this module only when a reference is present: it
adds about 0.15 s to start-up.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mtqa.document import Document
from mtqa.limits import MODEL_MAX_DOCUMENT_CHARS
from mtqa.segment import segment

if TYPE_CHECKING:
    from sacrebleu.metrics import BLEU, CHRF, TER

MAX_CHARS = MODEL_MAX_DOCUMENT_CHARS  # per document, as for the model (the longest side of each link)
TER_PIECE_WORDS = 30  # longest TER segment; a typical news sentence fits whole
TER_MAX_WORDS = 1_500  # TER budget per document: a long news article
DIGITS = 2  # sacrebleu prints scores to 2 decimals too


@lru_cache(maxsize=1)
def _metrics() -> tuple[BLEU, CHRF, TER]:
    """One instance of each metric per process: they hold only their settings."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    return BLEU(), CHRF(), TER()


def sentence_chrf(hypothesis: str, reference: str) -> float:
    """sacrebleu's sentence chrF2 of ``hypothesis`` against ``reference``, in [0, 100]."""
    return round(_metrics()[1].sentence_score(hypothesis, [reference]).score, DIGITS)


def score_reference(doc: Document) -> None:
    """Fill ``doc.reference_metrics`` and each sentence's ``reference_spans`` and ``chrf``."""
    if not doc.reference or not doc.reference.strip() or not doc.sentences:
        return
    from mtqa.align import Segment, align

    reference = segment(doc.reference)
    links = align(
        [Segment(r.text, r.kind) for r in reference],
        [Segment(s.text, s.kind) for s in doc.sentences],
        ratio=1.0,  # French with French
    )
    pairs: list[tuple[str, str]] = []  # (French, reference) per link, for the corpus scores
    budget, scored = MAX_CHARS, 0
    for link in links:
        french = " ".join(doc.sentences[j].text for j in link.target)
        ref = " ".join(reference[i].text for i in link.source)
        size = max(len(french), len(ref))
        if size > budget:
            # Links are in document order: the one that crosses the budget counts as a prefix
            # of each side in the document figures (a 1 MB line still gets some), and the rest
            # of the article goes unscored.
            share = budget / size
            pairs.append((french[: int(len(french) * share)], ref[: int(len(ref) * share)]))
            scored += int(len(french) * share)
            break
        budget -= size
        pairs.append((french, ref))
        scored += sum(len(doc.sentences[j].text) for j in link.target)
        if not (link.source and link.target):
            continue  # an addition or an omission: no sentence score
        spans = [(reference[i].start, reference[i].end) for i in link.source]
        chrf = sentence_chrf(french, ref)
        for j in link.target:
            doc.sentences[j].reference_spans = list(spans)
            doc.sentences[j].chrf = chrf
    metrics = corpus_metrics(pairs)
    total = sum(len(s.text) for s in doc.sentences)
    doc.reference_metrics = {**metrics, "coverage": round(scored / total, 3) if total else 1.0}


def corpus_metrics(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """BLEU, chrF and TER of aligned (hypothesis, reference) segments, with signatures."""
    bleu, chrf, ter = _metrics()
    hyps = [h for h, _ in pairs]
    refs = [[r for _, r in pairs]]
    ter_hyps, ter_refs, covered = _ter_pieces(pairs)
    total = sum(len(h.split()) for h in hyps)
    scores = {
        "bleu": bleu.corpus_score(hyps, refs).score,
        "chrf": chrf.corpus_score(hyps, refs).score,
        "ter": ter.corpus_score(ter_hyps, [ter_refs]).score if ter_hyps else None,
    }
    return {
        **{name: None if s is None else round(s, DIGITS) for name, s in scores.items()},
        "segments": len(pairs),
        "ter_coverage": round(covered / total, 3) if total else 1.0,
        # Signatures are only complete once a metric has scored (BLEU needs the number of refs).
        "signatures": {
            "bleu": bleu.get_signature().format(),
            "chrf": chrf.get_signature().format(),
            "ter": ter.get_signature().format(),
        },
    }


def _ter_pieces(pairs: list[tuple[str, str]]) -> tuple[list[str], list[str], int]:
    """TER's segments: each pair cut into proportional pieces of at most TER_PIECE_WORDS
    words, up to TER_MAX_WORDS in all; also how many hypothesis words they cover."""
    hyps: list[str] = []
    refs: list[str] = []
    budget, covered = TER_MAX_WORDS, 0
    for hyp, ref in pairs:
        h, r = hyp.split(), ref.split()
        k = max(1, math.ceil(max(len(h), len(r)) / TER_PIECE_WORDS))
        for i in range(k):
            hp = h[len(h) * i // k : len(h) * (i + 1) // k]
            rp = r[len(r) * i // k : len(r) * (i + 1) // k]
            cost = max(len(hp), len(rp))
            if cost > budget:
                return hyps, refs, covered
            budget -= cost
            covered += len(hp)
            hyps.append(" ".join(hp))
            refs.append(" ".join(rp))
    return hyps, refs, covered
