"""The QE network at inference time, without torch.

Training uses torch and transformers (``mtqa.train.model``). Checking an article must not:
importing torch alone costs more than a second of the three an editor waits. This module
computes the same function (post-layer-norm XLM-R blocks, XLM-R position ids, the two heads
of ``QEModel``) from the same safetensors files, in float32 numpy; a test checks they agree.
Checking runs the encoder layers in int8 on ONNX Runtime instead (``mtqa.qe.quantized``,
``QENetwork.quantize``): the embeddings and the heads stay here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from mtqa.qe.quantized import QuantizedLayers


class WordLookup(Protocol):
    """Word embeddings by token id: a float32 array, or ``backbone.WordEmbeddings``."""

    def __getitem__(self, ids: np.ndarray) -> np.ndarray: ...


_ENC = "encoder.encoder.layer"
_SQRT_HALF = 1.0 / math.sqrt(2.0)


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, 0.5·x·(1 + erf(x/√2)), overwriting ``x``.

    numpy has no erf (scipy costs an import): Abramowitz & Stegun 7.1.26, |error| < 1.5e-7,
    computed in place because temporaries of 2M floats dominate the cost.
    """
    z = np.abs(x)
    z *= np.float32(_SQRT_HALF)
    t = z * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x|/√2)
    np.subtract(1.0, poly, out=poly)
    np.copysign(poly, x, out=poly)  # erf is odd
    poly += 1.0
    poly *= x
    poly *= np.float32(0.5)
    return poly


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """GELU's tanh form, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), overwriting ``x``."""
    inner = x * x
    inner *= np.float32(0.044715)
    inner += 1.0
    inner *= x
    inner *= np.float32(math.sqrt(2.0 / math.pi))
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= x
    inner *= np.float32(0.5)
    return inner


# transformers' names for the activations a model may have been trained with.
ACTIVATIONS = {"gelu": gelu, "gelu_pytorch_tanh": gelu_tanh, "gelu_new": gelu_tanh}


def _f32(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * weight + bias


class _Linear:
    def __init__(self, state: Mapping[str, np.ndarray], name: str) -> None:
        self._state, self._name = state, name
        self.bias = state[f"{name}.bias"].astype(np.float32)

    @functools.cached_property
    def weight_t(self) -> np.ndarray:
        # x @ W.T, read, transposed and widened once, on first use: with the int8 encoder
        # cached, the layers' float weights are never read.
        return np.ascontiguousarray(self._state[f"{self._name}.weight"].T, dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # As 2-D: numpy sends (batch, length, hidden) @ W through a loop 8x slower than one GEMM.
        flat = x.reshape(-1, x.shape[-1]) @ self.weight_t + self.bias
        return flat.reshape(*x.shape[:-1], flat.shape[-1])


class QENetwork:
    """Sentence error logits and token BAD logits, as ``QEModel.forward`` in eval mode."""

    def __init__(
        self,
        state: Mapping[str, np.ndarray],
        word_embeddings: WordLookup,
        config: dict,
        n_layers: int,
        activation: str = "gelu",
    ) -> None:
        self.activation = ACTIVATIONS[activation]
        s = state  # float16 as stored: each weight is widened to float32 where it is used
        # A float32 table (training's tests) or the 4-bit rows checking reads (backbone.WordEmbeddings).
        self.words = word_embeddings
        self.positions = _f32(s["encoder.embeddings.position_embeddings.weight"])
        self.token_type = _f32(s["encoder.embeddings.token_type_embeddings.weight"][0])
        self.embed_norm = (
            _f32(s["encoder.embeddings.LayerNorm.weight"]),
            _f32(s["encoder.embeddings.LayerNorm.bias"]),
        )
        self.pad = int(config["pad_token_id"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.layers = []
        for i in range(n_layers):
            p = f"{_ENC}.{i}"
            self.layers.append(
                {
                    "q": _Linear(s, f"{p}.attention.self.query"),
                    "k": _Linear(s, f"{p}.attention.self.key"),
                    "v": _Linear(s, f"{p}.attention.self.value"),
                    "out": _Linear(s, f"{p}.attention.output.dense"),
                    "out_norm": (
                        _f32(s[f"{p}.attention.output.LayerNorm.weight"]),
                        _f32(s[f"{p}.attention.output.LayerNorm.bias"]),
                    ),
                    "inner": _Linear(s, f"{p}.intermediate.dense"),
                    "ffn": _Linear(s, f"{p}.output.dense"),
                    "ffn_norm": (
                        _f32(s[f"{p}.output.LayerNorm.weight"]),
                        _f32(s[f"{p}.output.LayerNorm.bias"]),
                    ),
                }
            )
        self.activation_name = activation
        self.quantized: QuantizedLayers | None = None
        self.token_head = _Linear(s, "token_head")
        self.sentence_head = _Linear(s, "sentence_head")

    def quantize(self, smooth: Sequence[np.ndarray]) -> None:
        """Run the encoder layers in int8 from now on (``smooth``: each layer's FFN factors)."""
        from mtqa.qe.quantized import int8_tensors

        self.use_int8(int8_tensors(self.layers, smooth))

    def use_int8(self, tensors: dict[str, np.ndarray]) -> None:
        """Run the encoder layers in int8 from now on, with ``quantized.int8_tensors``' constants."""
        from mtqa.qe.quantized import QuantizedLayers

        self.quantized = QuantizedLayers(tensors, self.heads, self.eps, self.activation_name)

    def embed(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """The encoder's input: word, position and type embeddings, normalised."""
        mask = attention_mask.astype(np.int64)
        # XLM-R numbers positions from pad+1, skipping padding.
        positions = np.cumsum(mask, axis=1) * mask + self.pad
        x = self.words[input_ids] + self.positions[positions] + self.token_type
        return _layer_norm(x, *self.embed_norm, self.eps)

    def encode(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        x = self.embed(input_ids, attention_mask)
        if self.quantized is not None:
            return self.quantized(x, attention_mask)
        return self.float_layers(x, attention_mask)

    def float_layers(
        self, x: np.ndarray, attention_mask: np.ndarray, gelu_out: list | None = None
    ) -> np.ndarray:
        """The encoder layers in float32; ``gelu_out`` collects each layer's GELU output
        (what ``mtqa.train.quantize`` measures)."""
        b, t, h = x.shape
        d = h // self.heads
        # Additive mask: padding keys get a large negative score.
        bias = ((1.0 - attention_mask[:, None, None, :].astype(np.float32)) * -1e9).astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(d))
        for layer in self.layers:

            def split(y: np.ndarray) -> np.ndarray:
                return y.reshape(b, t, self.heads, d).transpose(0, 2, 1, 3)

            q, k, v = split(layer["q"](x)), split(layer["k"](x)), split(layer["v"](x))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b, t, h)
            x = _layer_norm(layer["out"](ctx) + x, *layer["out_norm"], self.eps)
            inner = self.activation(layer["inner"](x))
            if gelu_out is not None:
                gelu_out.append(inner.copy())
            x = _layer_norm(layer["ffn"](inner) + x, *layer["ffn_norm"], self.eps)
        return x

    def __call__(
        self, input_ids: np.ndarray, attention_mask: np.ndarray, target_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentence error logits (batch,) and token BAD logits (batch, length)."""
        hidden = self.encode(input_ids, attention_mask)
        token_logits = self.token_head(hidden)[..., 0]
        mask = target_mask.astype(np.float32)
        mean = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1), 1.0)[:, None]
        top = np.where(target_mask == 0, np.float32(-1e4), token_logits).max(1)
        # Soft count of BAD tokens, as in QEModel.
        mass = (1.0 / (1.0 + np.exp(-token_logits)) * mask).sum(1) / 4.0
        features = np.concatenate([hidden[:, 0], mean, top[:, None], mass[:, None]], axis=-1)
        return self.sentence_head(features)[:, 0], token_logits
