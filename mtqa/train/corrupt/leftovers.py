"""English left untranslated: a clause or words from the source."""

from __future__ import annotations

import random
import re
import unicodedata

from mtqa import lexicon
from mtqa.train.corrupt.base import _WORD, FUNCTION_WORDS, Corruption, _apply, _make, _words

# ---------------------------------------------------------------------------- 6. untranslated

_EN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
EN_STOPWORDS = frozenset(
    """the a an of to in on at for by with from and or but that this these those is are was were be
    been being has have had will would should could can may might it its their they them he she his
    her we our you your i not no as than then there here which who whom whose what when where why
    how also said says told after before over under into about more most some any all other such
    only own same so too very just now while during since until against between both each few
    further once off out up down again""".split()
)
# French word(s) → English word left untranslated, used when the English source contains it.
_LEFTOVERS = (
    (r"\bresponsables\b", "officials"),
    (r"\baccord\b", "deal"),
    (r"\bsur fond de\b", "amid"),
    (r"\bparlementaires\b", "lawmakers"),
    (r"\bporte-parole\b", "spokesperson"),
    (r"\bcessez-le-feu\b", "ceasefire"),
    (r"\bfrappes?\b", "strike"),
    (r"\bsondages?\b", "polls"),
    (r"\bcommuniqué\b", "statement"),
    (r"\baudience\b", "hearing"),
    (r"\bsommet\b", "summit"),
    (r"\bpourparlers\b", "talks"),
    (r"\bmanifestants\b", "protesters"),
    (r"\bréfugiés\b", "refugees"),
    (r"\bélections\b", "elections"),
    (r"\bgouvernement\b", "government"),
    (r"\bentreprise\b", "company"),
    (r"\benquête\b", "investigation"),
    (r"\bsécheresse\b", "drought"),
    (r"\binondations\b", "floods"),
    (r"\bincendies?\b", "wildfire"),
    (r"\bdéputés\b", "lawmakers"),
    (r"\btroupes\b", "troops"),
    (r"\bmilitants\b", "activists"),
)


def _en_content(en: str) -> list[re.Match[str]]:
    out = []
    for m in _EN_WORD.finditer(en):
        w = m.group(0)
        if w[0].isupper() or len(w) < 4 or w.lower() in EN_STOPWORDS:
            continue
        if lexicon.english_frequency(w) < lexicon.french_frequency(w) + 1:
            continue  # also a French word: leaving it in would not look untranslated
        out.append(m)
    return out


def _strip_punct(text: str) -> str:
    return text.strip().strip('.,;:!?"“”«» ').strip()


def untranslated(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """English left in the French: a whole short text, a clause, or 1–3 source words."""
    if not en or not en.strip():
        return None
    fr_words = _words(fr)
    roll = rng.random()
    # Whole text (~10% overall), as MT copies through captions and short items it fails to translate.
    if roll < (0.35 if len(fr_words) <= 12 else 0.07 if len(fr_words) <= 25 else 0.0):
        new = en.strip()
        return _make(fr, new, [(0, len(new))], "untranslated", "major", "untranslated")
    if roll < 0.6:
        done = _untranslated_clause(fr, en, rng)
        if done:
            return done
    return _untranslated_words(fr, en, rng)


def _untranslated_clause(fr: str, en: str, rng: random.Random) -> Corruption | None:
    end = len(fr.rstrip())
    m_end = re.search(r"[.!?…]+[\s»”\"]*$", fr[:end])
    body_end = m_end.start() if m_end else end
    commas = [m.start() for m in re.finditer(r",\s", fr[:body_end])]
    en_body = en.strip()
    en_parts = [p for p in re.split(r",\s", en_body) if p.strip()]
    spans: list[tuple[int, int, str]] = []  # French span to replace, which end
    if commas:
        spans.append((commas[-1] + 2, body_end, "tail"))
        spans.append((0, commas[0], "head"))
    else:
        ws = [m for m in _WORD.finditer(fr, 0, body_end)]
        if len(ws) >= 6:
            k = rng.randint(3, 6)
            spans.append((ws[-k].start(), ws[-1].end(), "tail"))
    rng.shuffle(spans)
    for s, e, side in spans:
        n = len(_words(fr[s:e]))
        if not 3 <= n <= 8 or any(c in fr[s:e] for c in '«»()"'):
            continue
        en_part = en_parts[-1] if side == "tail" else en_parts[0]
        en_words = en_part.split()
        if not 2 <= len(en_words) <= 12 or len(en_parts) < 2:
            all_words = en_body.split()
            en_words = all_words[-n:] if side == "tail" else all_words[:n]
        piece = _strip_punct(" ".join(en_words))
        if not piece or piece == fr[s:e]:
            continue
        text, places = _apply(fr, [(s, e, piece)])
        return _make(fr, text, places, "untranslated", "major", "untranslated")
    return None


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


def _cognates(
    fr_cands: list[re.Match[str]], en_cands: list[re.Match[str]]
) -> list[tuple[re.Match[str], str]]:
    """French words whose English source word is a visible cognate (résidence/residence, voté/voted)."""
    out = []
    for f in fr_cands:
        ff = _fold(f.group(0))
        for e in en_cands:
            ew = e.group(0)
            ef = _fold(ew)
            n = 0
            while n < min(len(ff), len(ef)) and ff[n] == ef[n]:
                n += 1
            if n >= 5 or (n >= 4 and n == min(len(ff), len(ef))):
                out.append((f, ew))
    return out


def _untranslated_words(fr: str, en: str, rng: random.Random) -> Corruption | None:
    table = [(pat, word) for pat, word in _LEFTOVERS if re.search(rf"\b{word}\b", en, re.I)]
    hits = [(m, word) for pat, word in table for m in re.finditer(pat, fr)]
    if hits and rng.random() < 0.5:
        m, word = rng.choice(hits)
        text, places = _apply(fr, [(m.start(), m.end(), word)])
        return _make(fr, text, places, "untranslated", "minor", "untranslated")
    en_cands = _en_content(en)
    fr_cands = [
        m
        for m in _WORD.finditer(fr)
        if m.group(0).islower() and len(m.group(0)) >= 4 and m.group(0) not in FUNCTION_WORDS
    ]
    if not en_cands or not fr_cands:
        return None
    # A cognate gives an exact alignment for free; otherwise align by relative position.
    cognates = [(f, w) for f, w in _cognates(fr_cands, en_cands) if w != f.group(0)]
    if cognates and rng.random() < 0.6:
        f, word = rng.choice(cognates)
        text, places = _apply(fr, [(f.start(), f.end(), word)])
        return _make(fr, text, places, "untranslated", "minor", "untranslated")
    j = rng.randrange(len(en_cands))
    k = rng.choice((1, 1, 1, 2, 3))
    en_all = list(_EN_WORD.finditer(en))
    # Consecutive English words starting at the chosen one, if they are content words too.
    idx = next(i for i, m in enumerate(en_all) if m.start() == en_cands[j].start())
    group = [en_all[idx]]
    for nxt in en_all[idx + 1 : idx + k]:
        w = nxt.group(0)
        if w[0].isupper() or w.lower() in EN_STOPWORDS or en[group[-1].end() : nxt.start()] != " ":
            break
        group.append(nxt)
    piece = " ".join(m.group(0) for m in group)
    rel = en_cands[j].start() / max(1, len(en))
    target = min(fr_cands, key=lambda m: abs(m.start() / max(1, len(fr)) - rel))
    s, e = target.start(), target.end()
    for m in list(_WORD.finditer(fr, e))[: len(group) - 1]:
        if fr[e : m.start()] != " ":
            break
        e = m.end()
    text, places = _apply(fr, [(s, e, piece)])
    return _make(fr, text, places, "untranslated", "minor" if len(group) == 1 else "major", "untranslated")
