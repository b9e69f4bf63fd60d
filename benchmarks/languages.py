"""Language detectors on what mtqa asks of them: lingua (what mtqa uses) against langdetect.

- Foreign sentences: the sentences of tests/test_lexicon_language.py and the rule examples of
  MTQA101 in German, Spanish, Italian, Portuguese, Dutch and Indonesian (written for mtqa):
  share named correctly, confidently (probability ≥ 0.9, French < 0.05).
- Real French: every sentence of the cached realdev set's human-written articles that has
  fewer than a fifth of French function words (the ones mtqa sends to a detector): share
  wrongly called foreign.
- Cost: load time and ms per sentence.

langdetect is not a dependency of mtqa: ``pip install langdetect`` to include it.

    python benchmarks/languages.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def foreign() -> list[tuple[str, str]]:
    from test_lexicon_language import OTHER_LANGUAGES

    extra = [
        ("de", "Der Außenminister ist am Montag zu Gesprächen über die Lage nach Brüssel gereist."),
        ("es", "El ministro de Exteriores viajó el lunes a Bruselas para hablar de la situación en Ucrania."),
        ("id", "Menteri Luar Negeri Amerika Serikat tiba di Brussels untuk membahas bantuan bagi Ukraina."),
        (
            "it",
            "La Banca centrale europea ha lasciato invariati i tassi di interesse nella riunione di giovedì.",
        ),
        ("pt", "O primeiro-ministro anunciou ontem um novo pacote de medidas para apoiar as famílias."),
        ("nl", "Het kabinet wil volgend jaar meer geld uittrekken voor defensie en onderwijs."),
    ]
    return [*OTHER_LANGUAGES.items(), *extra]


# Short runs, as MTQA102 asks about them inside French sentences (written for mtqa).
SHORT_SPANS = [
    ("de", "die Lage sehr ernst bleibt"),
    ("de", "wir schaffen das schon"),
    ("de", "nicht mehr lange warten"),
    ("es", "sigue siendo muy difícil"),
    ("es", "no hay nada que hacer"),
    ("es", "todavía no está claro"),
    ("it", "non è ancora chiaro"),
    ("it", "siamo molto preoccupati per"),
    ("it", "la situazione resta difficile"),
    ("pt", "ainda não está claro"),
    ("pt", "estamos muito preocupados com"),
    ("pt", "a situação continua difícil"),
    ("nl", "het is nog niet duidelijk"),
    ("nl", "wij maken ons zorgen"),
    ("nl", "de situatie blijft moeilijk"),
    ("id", "belum jelas sampai sekarang"),
    ("id", "kami sangat khawatir dengan"),
    ("id", "situasinya masih sulit"),
]


def doubtful_french() -> list[str]:
    from mtqa.checks.language import french_marker_share, words
    from mtqa.segment import segment

    out = []
    for path in sorted((ROOT / "eval" / "realdev" / "records").glob("human*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cached = ROOT / "eval" / "realdev" / "cache" / f"{json.loads(line)['id']}.txt"
            if not cached.exists():
                continue
            for s in segment(cached.read_text(encoding="utf-8")):
                tokens = words(s.text)
                common = [t for t in tokens if t.islower() and len(t) >= 3]
                if len(tokens) >= 4 and len(common) >= 3 and french_marker_share(tokens) < 0.2:
                    out.append(s.text)
    return out


def lingua_detector():
    """As mtqa asks: a sentence is screened by trigrams, then must be mostly words of the
    language found; a short run (five words or fewer here) is judged by trigrams alone."""
    from mtqa.checks import language

    def decide(text: str) -> str | None:
        found = language._confidently_foreign(text)
        if found and len(text.split()) > 5:
            found = language._screened_and_confirmed(text)
        return found[0] if found else None

    return decide


def langdetect_detector():
    from langdetect import DetectorFactory, detect_langs

    DetectorFactory.seed = 0

    def decide(text: str) -> str | None:
        probs = {p.lang: p.prob for p in detect_langs(text)}
        lang, prob = max(probs.items(), key=lambda kv: kv[1])
        return lang if lang != "fr" and prob >= 0.9 and probs.get("fr", 0.0) < 0.05 else None

    return decide


def main() -> None:
    samples, french = foreign(), doubtful_french()
    print(f"{len(samples)} foreign sentences, {len(french)} doubtful sentences of human-written French")
    for name, make in (("lingua (mtqa)", lingua_detector), ("langdetect", langdetect_detector)):
        try:
            start = time.perf_counter()
            decide = make()
            decide("Le ministre a démissionné mardi soir à Paris.")
            load = time.perf_counter() - start
        except ImportError:
            print(f"  {name}: not installed")
            continue
        start = time.perf_counter()
        named = sum(decide(text) == lang for lang, text in samples)
        short = sum(decide(text) == lang for lang, text in SHORT_SPANS)
        wrong = sum(decide(text) is not None for text in french)
        per = (time.perf_counter() - start) / (len(samples) + len(SHORT_SPANS) + len(french)) * 1000
        print(
            f"  {name:<14} sentences named {named}/{len(samples)}, short runs {short}/{len(SHORT_SPANS)};"
            f" French called foreign {wrong}/{len(french)}"
            f"  load {load:.2f} s  {per:.1f} ms/sentence"
        )


if __name__ == "__main__":
    main()
