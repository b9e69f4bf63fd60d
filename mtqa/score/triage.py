"""Document triage: one number per article that orders a feed by how much it needs an editor.

Sentence findings say where to look; a desk with 500 articles first needs to know which ones
to open. The triage score combines evidence that holds across sites and source languages,
each measured per sentence or per word so that long and short articles compare:

- ``unknown_words``: share of lower-case words that neither DELA, nor wordfreq's French or
  English lists know (misspelt, transliterated or untranslated words);
- ``rule_findings`` and ``major_findings``: rule findings per sentence, page furniture left out;
- ``foreign_share``: share of the text in another language;
- ``repetition``: how often the text reuses a word within a short span (one minus the
  moving-average type-token ratio over 30-word windows). Machine translation writes with a
  smaller, more repetitive vocabulary than a journalist (Vanmassenhove et al., 2019, "Lost
  in translation: loss and decay of linguistic richness in machine translation"), whatever
  the source language; the moving average keeps long and short articles comparable;
- ``said_declared``: « a déclaré » (« ont déclaré », « a-t-il déclaré »…) per sentence. MT
  renders nearly every English "said" as « a déclaré », where a journalist writing French
  varies the verb of speech (« a indiqué », « a affirmé », « selon », « a-t-il dit »). The
  feature was found on the dev half, and measured by leaving out one site at a time:
  document AUC 0.76 without it, 0.89 with it (``python eval/realdev/fit_triage.py``);
- ``french_turns``: French turns with no English counterpart (impersonal « on », « en effet »,
  « d'ailleurs », « or », « voire », « quant à », « en revanche », « il s'agit », « il faut »…)
  per word. A translation under-represents what its source language lacks, "unique items"
  (Tirkkonen-Condit, 2004, "Unique items: over- or under-represented in translated
  language?"): MT from English or Indonesian seldom writes « on » or « or ». Found on the dev
  half, leaving out one site at a time: document AUC 0.896 without it, 0.913 with it;
- ``model_error``: the model's mean error probability over the sentences it scored.

The weights are a logistic regression fitted on the dev half of the real-article set
(``eval/realdev/fit_triage.py``), one set with the model and one without; they live in
``triage.json`` beside this file. The score is in [0, 1]; higher means look first.
"""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources

from mtqa import lexicon
from mtqa.document import Document, SegmentKind, Severity

_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{4,}(?![\w'’-])")
_ANY_WORD = re.compile(r"[^\W\d_]+")
WINDOW = 30  # words: a few sentences' span, shorter than the shortest article worth triaging
FEATURES = (
    "unknown_words", "rule_findings", "major_findings", "foreign_share", "repetition", "said_declared",
    "french_turns", "model_error",
)  # fmt: skip
_SAID = re.compile(
    r"\b(?:a|ont|avait|avaient|aurait|auraient)(?:-t-(?:il|elle|on)|-(?:ils|elles))? déclaré\b"
)

# Counted in French sentences only: an untranslated English « on » is not the French pronoun.
_FRENCH_TURN = re.compile(
    r"\b(?:on|en effet|d['’]ailleurs|voire|quant aux?|quant à|en revanche|certes|dès lors|il s['’]agit"
    r"|il faut|du reste|pour autant|d['’]autant|à l['’]heure où)\b|(?:^|[.;:] )or,",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=65536)
def _unknown(word: str) -> bool:
    # Frequencies first: they settle almost every word, and DELA's lookups are the costly part.
    if lexicon.french_frequency(word) >= 1.0 or lexicon.english_frequency(word) >= 2.5:
        return False
    return not lexicon.is_french_word(word)


def repetition(words: list[str], window: int = WINDOW) -> float:
    """One minus the moving-average type-token ratio (MATTR), in one pass over the words."""
    if len(words) <= window:
        return 1.0 - len(set(words)) / len(words) if words else 0.0
    counts: dict[str, int] = {}
    for w in words[:window]:
        counts[w] = counts.get(w, 0) + 1
    distinct = total = len(counts)
    for old, new in zip(words, words[window:], strict=False):  # slide: drop ``old``, add ``new``
        counts[old] -= 1
        if not counts[old]:
            distinct -= 1
        counts[new] = counts.get(new, 0) + 1
        if counts[new] == 1:
            distinct += 1
        total += distinct
    return 1.0 - total / (window * (len(words) - window + 1))


def features(doc: Document) -> dict[str, float]:
    """The triage evidence of a checked document (``model_error`` is None without the model)."""
    body = [s for s in doc.sentences if s.kind is not SegmentKind.DATELINE]
    n = max(1, len(body))
    words = [w for s in body for w in _WORD.findall(s.text) if w.islower()]
    real = [f for s in body for f in s.findings if f.category != "boilerplate" and f.source == "rules"]
    letters = sum(len(s.text) for s in body) or 1
    foreign = sum(
        len(s.text) for s in body if any(f.rule == "MTQA101" for f in s.findings)
    )  # whole sentences in another language
    scored = [s.score for s in body if s.score is not None]
    french = [s for s in body if not any(f.category == "untranslated" for f in s.findings)]
    all_words = [w.lower() for s in body for w in _ANY_WORD.findall(s.text)]
    return {
        "unknown_words": sum(1 for w in words if _unknown(w)) / max(1, len(words)),
        "rule_findings": len(real) / n,
        "major_findings": sum(1 for f in real if f.severity >= Severity.MAJOR) / n,
        "foreign_share": foreign / letters,
        "repetition": repetition(all_words),
        "said_declared": sum(len(_SAID.findall(s.text)) for s in body) / n,
        "french_turns": sum(len(_FRENCH_TURN.findall(s.text)) for s in french) / max(1, len(all_words)),
        "model_error": 1.0 - sum(scored) / len(scored) if scored else None,  # type: ignore[dict-item]
    }


@functools.cache
def weights() -> dict:
    return json.loads((resources.files("mtqa") / "score" / "triage.json").read_text(encoding="utf-8"))


def score(feats: dict[str, float | None], fitted: dict | None = None) -> float:
    """Logistic combination of the features, with the weight set that matches them."""
    fitted = fitted or weights()
    kind = "with_model" if feats.get("model_error") is not None else "rules_only"
    w = fitted[kind]
    z = w["bias"] + sum(w["weights"][k] * (feats[k] or 0.0) for k in w["weights"])
    return round(1 / (1 + math.exp(-max(-50.0, min(50.0, z)))), 4)


def triage(doc: Document) -> float:
    return score(features(doc))  # type: ignore[arg-type]
