"""XLM-R's tokenizer, built for the texts at hand from the pieces they can use.

Building ``tokenizers``' Unigram model over the 114k Latin-script pieces costs 0.3-0.5 s,
at every start of every process: more than the rest of a one-article check's model work.
Unigram segmentation (Viterbi over the pieces that match inside each word) can only use a
piece that is a substring of a normalised, pre-tokenised word of the text. So a tokenizer
holding just those pieces, with the same scores, plus the lowest-scoring piece, which sets
the penalty of an unknown character, segments the text exactly as the full one does; its ids
are mapped back to the full vocabulary's. Finding those pieces is a few thousand binary
searches per article.

The pieces kept grow as texts come (a tokenizer covers every text it was built for); past
``MAX_PIECES`` pieces or ``MAX_BUILDS`` builds, the full tokenizer is built once and used from
then on, which is what a long feed amortises. ``tests/test_backbone.py`` holds the two to the
same ids and offsets.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tokenizers import Tokenizer

MAX_PIECES = 16_000  # a build of this size costs about 20 ms; the full one, 400 ms
MAX_BUILDS = 8  # then a feed is long enough to amortise the full tokenizer
_SPECIALS = 4  # <s> <pad> </s> <unk>: ids 0-3 in every build, as the template and added tokens expect
_MAX_PIECE_CHARS = 16


@dataclass(frozen=True)
class Encoding:
    """What mtqa reads of a ``tokenizers.Encoding``, with ids in the full vocabulary."""

    ids: list[int]
    tokens: list[str]
    offsets: list[tuple[int, int]]
    sequence_ids: list[int | None]


class TextTokenizer:
    """Encodes like the full XLM-R Latin tokenizer, building a small one for the texts given.

    ``skeleton`` is the tokenizer's JSON with only the special pieces in its vocabulary;
    ``pieces`` are all pieces sorted by code point, with their ``ids`` and ``scores``."""

    def __init__(
        self, skeleton: dict[str, Any], pieces: list[str], ids: np.ndarray, scores: np.ndarray
    ) -> None:
        self._skeleton = skeleton
        self._pieces = pieces
        self._ids = ids
        self._scores = scores
        # Always kept: the special pieces, and the lowest-scoring one (the unknown-character penalty).
        self._always = {int(np.argmin(scores)), *(int(i) for i in np.flatnonzero(ids < _SPECIALS))}
        self._reader = Tokenizer.from_str(json.dumps(skeleton))  # normaliser and pre-tokeniser only
        added = sorted((t["content"] for t in skeleton.get("added_tokens", [])), key=len, reverse=True)
        self._added = re.compile("|".join(map(re.escape, added)) or "(?!)")
        self._lock = threading.Lock()
        self._kept: list[int] = []  # sorted positions (in ``pieces``) of the current build's pieces
        self._covered: set[str] = set()  # texts the current build holds every usable piece of
        self._current: tuple[Tokenizer, np.ndarray] | None = None  # (build, local id -> full id)
        self._full = False
        self._builds = 0
        self._truncation: dict[str, Any] | None = None

    # Settings, applied to every build ------------------------------------------------------

    def enable_truncation(self, max_length: int, **kwargs: Any) -> None:
        self._truncation = {"max_length": max_length, **kwargs}
        if self._current:
            self._current[0].enable_truncation(max_length, **kwargs)

    def no_truncation(self) -> None:
        self._truncation = None
        if self._current:
            self._current[0].no_truncation()

    def no_padding(self) -> None:  # builds never pad
        if self._current:
            self._current[0].no_padding()

    def token_to_id(self, piece: str) -> int | None:
        at = bisect.bisect_left(self._pieces, piece)
        return int(self._ids[at]) if at < len(self._pieces) and self._pieces[at] == piece else None

    # Encoding ------------------------------------------------------------------------------

    def encode(self, text: str, add_special_tokens: bool = True) -> Encoding:
        tokenizer, to_full = self._built_for([text])
        return _mapped(tokenizer.encode(text, add_special_tokens=add_special_tokens), to_full)

    def encode_batch(self, inputs: Sequence[str | tuple[str, str]]) -> list[Encoding]:
        texts = [t for item in inputs for t in ((item,) if isinstance(item, str) else item)]
        tokenizer, to_full = self._built_for(texts)
        if len(inputs) == 1:
            # The int8 encoder's batches are one sentence. ``encode_batch`` would wake the
            # tokenizer's thread pool, whose spinning threads slow the encoder's runs on the
            # same cores: 2.7 ms a sentence against 0.1 ms.
            item = inputs[0]
            single = tokenizer.encode(item) if isinstance(item, str) else tokenizer.encode(*item)
            return [_mapped(single, to_full)]
        return [_mapped(e, to_full) for e in tokenizer.encode_batch(list(inputs))]

    def prepare(self, texts: Iterable[str]) -> None:
        """Build once for all of an article's texts, rather than as each sentence comes."""
        self._built_for(list(texts))

    def full(self) -> Tokenizer:
        """The full tokenizer (the reference the builds are tested against)."""
        return self._build(np.argsort(self._ids, kind="stable"))

    # Builds --------------------------------------------------------------------------------

    def _built_for(self, texts: list[str]) -> tuple[Tokenizer, np.ndarray]:
        with self._lock:
            if self._current and (self._full or all(t in self._covered for t in texts)):
                return self._current
            usable = self._usable(texts)
            kept = sorted(set(self._kept).union(usable))
            if len(kept) > MAX_PIECES or (len(kept) != len(self._kept) and self._builds >= MAX_BUILDS):
                self._current = (self.full(), np.arange(len(self._pieces)))
                self._full = True
                self._covered.clear()
                return self._current
            if len(kept) != len(self._kept) or self._current is None:
                self._kept = kept
                local = sorted(kept, key=lambda i: int(self._ids[i]))
                self._current = (self._build(local), self._ids[local].astype(np.int64))
                self._builds += 1
            self._covered.update(texts)
            return self._current

    def _usable(self, texts: list[str]) -> set[int]:
        """Positions of every piece that is a substring of a pre-tokenised word of ``texts``,
        with the special pieces and the lowest-scoring one."""
        found = set(self._always)
        pieces, reader = self._pieces, self._reader
        normalise, split = reader.normalizer.normalize_str, reader.pre_tokenizer.pre_tokenize_str
        for text in texts:
            # Added tokens (<s>...) split the text before normalising; reading it both whole and
            # split at them yields a superset of the words either way, which is all that matters.
            parts = [text, *self._added.split(text)] if "<" in text else [text]
            for part in parts:
                for word, _ in split(normalise(part)):
                    n = len(word)
                    for i in range(n):
                        for j in range(i + 1, min(n, i + _MAX_PIECE_CHARS) + 1):
                            sub = word[i:j]
                            at = bisect.bisect_left(pieces, sub)
                            if at < len(pieces) and pieces[at] == sub:
                                found.add(at)
        return found

    def _build(self, positions: Sequence[int]) -> Tokenizer:
        """A tokenizer of the pieces at ``positions``, in full-vocabulary order: the specials
        first, as ids 0-3, which the template and the added tokens expect."""
        vocab = [[self._pieces[i], float(self._scores[i])] for i in positions]
        spec = dict(self._skeleton)
        spec["model"] = {**self._skeleton["model"], "vocab": vocab}
        tokenizer = Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))
        if self._truncation:
            tokenizer.enable_truncation(**self._truncation)
        return tokenizer


def _mapped(encoding: Any, to_full: np.ndarray) -> Encoding:
    return Encoding(to_full[encoding.ids].tolist(), encoding.tokens, encoding.offsets, encoding.sequence_ids)
