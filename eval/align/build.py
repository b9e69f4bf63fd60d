"""Build feeds with known sentence links, to measure the aligner (mtqa.align).

Each feed strings together 8-20 translated sentence pairs into an English article and
its French, then edits the French the way MT and web pages do:

- merge two French sentences into one (a 2-1 link);
- split one at a clause boundary (1-2);
- drop one (1-0, an omission);
- insert a French sentence from elsewhere (0-1, an addition);
- a headline on both sides, and a dateline (« WASHINGTON (AP) - ») before the first sentence.

    python eval/align/build.py --from devset   > eval/align/devset-feeds.jsonl   # measures
    python eval/align/build.py --from training > /tmp/training-feeds.jsonl     # tunes

Gold links are lists of sentence texts on each side; ``benchmarks/alignment.py`` maps them to
the segmenter's output. Seeded: the same command gives the same file.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT.parent / "shared" / "devset" / "devset.jsonl"
DATELINES = [
    "WASHINGTON (AP) -",
    "LONDRES (Reuters) -",
    "PARIS (AFP) -",
    "KYIV, Ukraine (AP) -",
    "NEW YORK -",
]
EN_DATELINES = [
    "WASHINGTON (AP) -",
    "LONDON (Reuters) -",
    "PARIS (AFP) -",
    "KYIV, Ukraine (AP) -",
    "NEW YORK -",
]


def _pairs(origin: str) -> list[tuple[str, str]]:
    """(English, French) single-sentence pairs: the devset's MT or reference, or training pairs."""
    from mtqa.document import SegmentKind
    from mtqa.segment import segment

    out: list[tuple[str, str]] = []
    if origin == "devset":
        for line in DEVSET.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            out.append(
                (r["source_en"], r["mt_fr"] if r["errors"] and r["id"][-1] in "02468" else r["ref_fr"])
            )
    else:
        for path in sorted(glob.glob(str(ROOT / "models" / "data" / "clean_pairs_*.jsonl"))):
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                r = json.loads(line)
                out.append((r["en"], r["fr"]))

    # Keep pairs that are one sentence on each side, so that the gold links are known.
    def sentence(text: str) -> bool:
        found = segment(text)
        return len(found) == 1 and found[0].kind is SegmentKind.SENTENCE

    return [(en, fr) for en, fr in out if sentence(en) and sentence(fr)]


def _split(fr: str) -> tuple[str, str] | None:
    """Cut a French sentence at a comma near its middle into two sentences, or None."""
    cuts = [m.start() for m in re.finditer(r", (?!\d)", fr)]
    cuts = [c for c in cuts if len(fr[:c].split()) >= 5 and len(fr[c + 2 :].split()) >= 5]
    if not cuts:
        return None
    c = min(cuts, key=lambda k: abs(k - len(fr) / 2))
    rest = fr[c + 2 :]
    return fr[:c] + ".", rest[0].upper() + rest[1:]


def _merge(a: str, b: str) -> str:
    return (
        a.rstrip(" .") + " ; " + b[0].lower() + b[1:] if not b[:2].isupper() else a.rstrip(" .") + " ; " + b
    )


def _headline(text: str, words: int) -> str:
    return " ".join(text.rstrip(".").split()[:words]).rstrip(",;:")


def build(origin: str, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pairs = _pairs(origin)
    feeds = []
    for k in range(count):
        chosen = rng.sample(pairs, rng.randint(8, 20) + 2)
        head, extra, body = chosen[0], chosen[1], chosen[2:]
        # Links as (English texts, French texts); paragraphs of 1-3 links.
        links: list[tuple[list[str], list[str]]] = [([_headline(head[0], 8)], [_headline(head[1], 9)])]
        d = rng.randrange(len(DATELINES))
        links.append(([EN_DATELINES[d]], [DATELINES[d]]))
        i = 0
        while i < len(body):
            en, fr = body[i]
            r = rng.random()
            if r < 0.12 and i + 1 < len(body):
                links.append(([en, body[i + 1][0]], [_merge(fr, body[i + 1][1])]))
                i += 2
                continue
            if r < 0.24 and (parts := _split(fr)):
                links.append(([en], list(parts)))
            elif r < 0.32 and i > 0:
                links.append(([en], []))
            else:
                links.append(([en], [fr]))
            if rng.random() < 0.06:
                links.append(([], [extra[1]]))
            i += 1
        en_text, fr_text = _render(links, rng)
        feeds.append({"id": f"{origin}-{k:03d}", "text": fr_text, "source": en_text, "links": links})
    return feeds


def _render(links: list[tuple[list[str], list[str]]], rng: random.Random) -> tuple[str, str]:
    """Both sides as text: headline, then the dateline glued to the first sentence, then
    paragraphs of one to three links."""
    en_paras: list[list[str]] = [[" ".join(links[0][0])]]
    fr_paras: list[list[str]] = [[" ".join(links[0][1])]]
    en_cur: list[str] = [links[1][0][0]]
    fr_cur: list[str] = [links[1][1][0]]
    size, left = 0, rng.randint(1, 3)
    for en, fr in links[2:]:
        en_cur += en
        fr_cur += fr
        size += 1
        if size >= left:
            en_paras.append(en_cur)
            fr_paras.append(fr_cur)
            en_cur, fr_cur, size, left = [], [], 0, rng.randint(1, 3)
    if en_cur or fr_cur:
        en_paras.append(en_cur)
        fr_paras.append(fr_cur)
    return (
        "\n\n".join(" ".join(p) for p in en_paras if p),
        "\n\n".join(" ".join(p) for p in fr_paras if p),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="origin", choices=("devset", "training"), default="devset")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for feed in build(args.origin, args.count, args.seed):
        sys.stdout.write(json.dumps(feed, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
