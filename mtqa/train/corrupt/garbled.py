"""Garbled text: dropped, doubled or swapped words and mojibake."""

from __future__ import annotations

import random
import re

from mtqa.train.corrupt.base import FUNCTION_WORDS, Corruption, _apply, _cap, _gap, _make, _words

# ---------------------------------------------------------------------------- 7. garble

_DELETABLE = frozenset(
    "le la les un une des du de à au aux et que qui en dans pour sur par est a ont se ne".split()
)


def _mojibake(word: str) -> str | None:
    try:
        out = word.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None
    return out if out != word and out.strip() == out and out.isprintable() else None


def garble(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """Local garbling: swapped words, a dropped function word, a repetition, a stray word, mojibake."""
    ws = _words(fr)
    if len(ws) < 3:
        return None
    ops = ["swap", "delete", "duplicate", "insert", "mojibake"]
    rng.shuffle(ops)
    for op in ops:
        done = _garble_op(fr, ws, op, rng)
        if done:
            return done
    return None


def _garble_op(fr: str, ws: list[re.Match[str]], op: str, rng: random.Random) -> Corruption | None:
    idx = list(range(len(ws)))
    rng.shuffle(idx)
    if op == "swap":
        for i in idx:
            if i + 1 >= len(ws) or fr[ws[i].end() : ws[i + 1].start()] != " ":
                continue
            a, b = ws[i].group(0), ws[i + 1].group(0)
            if a.lower() == b.lower() or a.isdigit() or b.isdigit():
                continue
            if i == 0 and a[:1].isupper() and b[:1].islower():
                a, b = a[:1].lower() + a[1:], _cap(b)
            text, places = _apply(fr, [(ws[i].start(), ws[i + 1].end(), f"{b} {a}")])
            return _make(fr, text, places, "garbled", "major", "garble")
    elif op == "delete":
        for i in idx:
            w = ws[i]
            if not (0 < i < len(ws) - 1) or w.group(0) not in _DELETABLE:
                continue
            if fr[ws[i - 1].end() : w.start()] != " " or fr[w.end() : ws[i + 1].start()] != " ":
                continue
            text, _ = _apply(fr, [(w.start(), w.end() + 1, "")])
            return _make(fr, text, _gap(text, w.start()), "garbled", "minor", "garble")
    elif op == "duplicate":
        for i in idx:
            two = rng.random() < 0.4 and i + 1 < len(ws) and fr[ws[i].end() : ws[i + 1].start()] == " "
            end = ws[i + 1].end() if two else ws[i].end()
            chunk = fr[ws[i].start() : end]
            text, places = _apply(fr, [(end, end, " " + chunk)])
            s, e = places[0]
            return _make(fr, text, [(s + 1, e)], "garbled", "major" if two else "minor", "garble")
    elif op == "insert":
        content = [m for m in ws if len(m.group(0)) >= 4 and m.group(0).lower() not in FUNCTION_WORDS]
        if not content:
            return None
        word = rng.choice(content)
        for i in idx:
            if i == 0 or abs(ws[i].start() - word.start()) < 2 or fr[ws[i - 1].end() : ws[i].start()] != " ":
                continue
            if ws[i - 1].end() == word.end() or ws[i].start() == word.start():
                continue
            pos = ws[i].start()
            w = word.group(0)
            if word.start() == 0 and w[1:].islower():
                w = w.lower()  # a sentence-initial capital, not a proper noun
            text, places = _apply(fr, [(pos, pos, w + " ")])
            return _make(fr, text, places, "garbled", "major", "garble")
    elif op == "mojibake":
        for i in idx:
            bad = _mojibake(ws[i].group(0))
            if bad:
                text, places = _apply(fr, [(ws[i].start(), ws[i].end(), bad)])
                return _make(fr, text, places, "garbled", "major", "garble")
    return None
