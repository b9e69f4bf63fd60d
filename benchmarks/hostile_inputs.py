"""Time the checker on hostile inputs: runs of punctuation, runs that used to trip the
pattern engine, a very long word, a very long sentence (with the model), a flood of findings.

Every input checks in time linear in its size (tests/test_fuzz.py asserts the ratio); this
prints the absolute figures, rules only unless marked. Issue #8's target: 100,000 dots
under 2 s with rules only.

    python benchmarks/hostile_inputs.py [--no-model]
"""

from __future__ import annotations

import argparse
import time

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document

RUNS = {
    "100,000 dots": "." * 100_000 + "x",
    "100,000 '…'": "…" * 100_000 + "x",
    "50,000 '!?'": "!?" * 50_000 + "x",
    "100,000 '«'": "«" * 100_000,
    "100,000 '('": "(" * 100_000,
    "'10 p.m. ' × 12,500": "Le ministre a dit " + "10 p.m. " * 12_500,
    "'Mr ' × 33,000": "Le ministre a dit " + "Mr " * 33_000 + "Smith.",
    "one 100,000-letter word": "Le ministre a dit " + "a" * 100_000 + " hier.",
    "1 MB of spaces and newlines": " \n" * 500_000,
}
MODEL_RUNS = {
    "a 300-word sentence with a source": (
        "Le ministre a dit que " + " ".join(["la réforme des retraites"] * 75) + " sera adoptée.",
        "The minister said the reform would pass.",
    ),
    "a 500-word sentence (windows)": (
        "Le ministre a dit que " + "la réforme, " * 500 + "sera adoptée.",
        None,
    ),
    "a 20,000-word sentence (over the limit)": (
        "Le ministre a dit " + "que la réforme " * 6700 + "hier.",
        None,
    ),
}


def timed(checker: Checker, text: str, source: str | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    doc = checker.check(Document(path="bench", text=text, source=source))
    return time.perf_counter() - start, len(doc.findings) if isinstance(doc, Document) else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="skip the model inputs")
    args = parser.parse_args()
    rules = Checker(Config(model=False, min_french_share=0.0))
    timed(rules, "Le ministre a dit que la réforme sera adoptée.")  # load the checks
    print(f"{'input (rules only)':42} {'chars':>9} {'seconds':>8} {'findings':>9}")
    for name, text in RUNS.items():
        seconds, found = timed(rules, text)
        print(f"{name:42} {len(text):9,} {seconds:8.2f} {found:9,}")
    if args.no_model:
        return
    model = Checker(Config(min_french_share=0.0))
    timed(model, "Le ministre a dit que la réforme sera adoptée.")
    print(f"\n{'input (rules + model)':42} {'chars':>9} {'seconds':>8} {'how the model read it'}")
    for name, (text, source) in MODEL_RUNS.items():
        start = time.perf_counter()
        doc = model.check(Document(path="bench", text=text, source=source))
        seconds = time.perf_counter() - start
        assert isinstance(doc, Document)
        print(f"{name:42} {len(text):9,} {seconds:8.2f} {doc.sentences[0].model_input}")


if __name__ == "__main__":
    main()
