"""The encoder's layers in int8 on ONNX Runtime: what checking runs.

The float layers of ``mtqa.qe.runtime`` spend most of their time in six matrix products per
layer. Here the same layers are a graph of ONNX Runtime's fused CPU kernels (attention,
skip + layer norm, GELU) with every weight matrix in int8, one scale per output column, and
activations quantised on the fly (``DynamicQuantizeMatMul``, ``QAttention``): about three
times the float speed on two cores (``python benchmarks/quantized.py``).

The FFN's second product reads the GELU's output, where a few channels run 30 times the
median: one scale for the whole row would flatten the rest. As in SmoothQuant (Xiao et al.,
2023), those channels are divided by a per-channel factor and the weight rows multiplied
by it, which leaves the product unchanged in exact arithmetic. The factors come from the
project's training sentences (``python -m mtqa.train.quantize``) and ship in
``weights/smooth.safetensors``, checked like the other weight files.

The int8 weights are computed from the float safetensors at load, deterministically, and
the graph is built in memory (``mtqa.qe.onnx_writer``): nothing but safetensors is read.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence

import numpy as np

from mtqa.qe import onnx_writer as ox

_MS = "com.microsoft"
_threads: int | None = None
_live: weakref.WeakSet[QuantizedLayers] = weakref.WeakSet()


def _close_sessions() -> None:
    # A child forked while a session's pool threads exist hangs in ONNX Runtime: close them
    # first (the parent reopens its session on next use, in a tenth of a second).
    for layers in list(_live):
        layers._session = None


os.register_at_fork(before=_close_sessions)


def limit_threads(n: int) -> None:
    """Use ``n`` cores for int8 runs in this process (a ``--jobs`` worker is one core)."""
    global _threads
    _threads = n


def parallel_runs() -> int:
    """How many int8 runs to make side by side: one per core, each on one thread. A sentence
    is too short for a run to share out well: on 2 cores, two one-thread runs side by side
    read 190 real news sentences/s, one two-thread run 150 (``python benchmarks/quantized.py``)."""
    if _threads:
        return _threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def quantize_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 with one scale per output column: (int8 weights, float32 scales)."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.clip(np.rint(w / scale), -127, 127).astype(np.int8), scale


class QuantizedLayers:
    """``hidden = layers(embedded, attention_mask)``, as ``QENetwork``'s float loop computes it."""

    def __init__(
        self, layers: Sequence[dict], heads: int, eps: float, activation: str, smooth: Sequence[np.ndarray]
    ) -> None:
        self.graph = _graph(layers, heads, eps, activation, smooth)
        self._session: tuple[int, object] | None = None
        _live.add(self)

    def _run(self):
        # Each process builds its own session (see _close_sessions).
        if self._session is None or self._session[0] != os.getpid():
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # runs go side by side instead (parallel_runs)
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = ort.InferenceSession(self.graph, options, providers=["CPUExecutionProvider"])
            self._session = (os.getpid(), session)
        return self._session[1]

    def __call__(self, x: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {
            "embedded": np.ascontiguousarray(x, dtype=np.float32),
            "mask": attention_mask.astype(np.int32),
        }
        return self._run().run(["hidden"], feeds)[0]


# ONNX Runtime's fused GELUs: FastGelu is the tanh form, BiasGelu the exact (erf) one.
_GELU = {"gelu": "BiasGelu", "gelu_pytorch_tanh": "FastGelu", "gelu_new": "FastGelu"}


def _graph(
    layers: Sequence[dict], heads: int, eps: float, activation: str, smooth: Sequence[np.ndarray]
) -> bytes:
    """The serialised ONNX model of the encoder layers (inputs ``embedded`` and ``mask``)."""
    nodes: list[bytes] = []
    weights: list[bytes] = []

    def const(name: str, array: np.ndarray) -> str:
        weights.append(ox.tensor(name, array))
        return name

    def int8_matmul(x: str, w: np.ndarray, out: str) -> str:
        q, scale = quantize_columns(w)
        zeros = np.zeros(len(scale), np.int8)
        args = [x, const(out + ".w", q), const(out + ".scale", scale), const(out + ".zero", zeros)]
        nodes.append(ox.node("DynamicQuantizeMatMul", args, [out], _MS))
        return out

    def add_and_norm(y: str, residual: str, bias: np.ndarray, norm: tuple, out: str) -> str:
        gamma, beta = const(out + ".gamma", norm[0]), const(out + ".beta", norm[1])
        args = [y, residual, gamma, beta, const(out + ".bias", bias)]
        nodes.append(ox.node("SkipLayerNormalization", args, [out], _MS, epsilon=eps))
        return out

    x = "embedded"
    for i, layer in enumerate(layers):
        p = f"layer{i}"
        qkv = np.concatenate([layer[k].weight_t for k in ("q", "k", "v")], axis=1)
        q, scale = quantize_columns(qkv)
        nodes.append(ox.node("DynamicQuantizeLinear", [x], [p + ".x8", p + ".xscale", p + ".xzero"]))
        args = [
            p + ".x8",
            const(p + ".qkv.w", q),
            const(p + ".qkv.bias", np.concatenate([layer[k].bias for k in ("q", "k", "v")])),
            p + ".xscale",
            const(p + ".qkv.scale", scale),
            "mask",
            p + ".xzero",
            const(p + ".qkv.zero", np.zeros(len(scale), np.int8)),
        ]
        nodes.append(ox.node("QAttention", args, [p + ".context"], _MS, num_heads=heads))
        out = int8_matmul(p + ".context", layer["out"].weight_t, p + ".attention")
        x1 = add_and_norm(out, x, layer["out"].bias, layer["out_norm"], p + ".norm1")
        inner = int8_matmul(x1, layer["inner"].weight_t, p + ".inner")
        nodes.append(
            ox.node(
                _GELU[activation], [inner, const(p + ".inner.bias", layer["inner"].bias)], [p + ".gelu"], _MS
            )
        )
        s = smooth[i].astype(np.float32)
        nodes.append(ox.node("Mul", [p + ".gelu", const(p + ".smooth", 1.0 / s)], [p + ".smoothed"]))
        ffn = int8_matmul(p + ".smoothed", layer["ffn"].weight_t * s[:, None], p + ".ffn")
        x = add_and_norm(ffn, x1, layer["ffn"].bias, layer["ffn_norm"], p + ".norm2")
    nodes.append(ox.node("Identity", [x], ["hidden"]))
    h = int(layers[0]["out"].weight_t.shape[1])
    return ox.model(
        nodes,
        weights,
        [
            ox.value_info("embedded", ox.FLOAT, ["batch", "length", h]),
            ox.value_info("mask", ox.INT32, ["batch", "length"]),
        ],
        [ox.value_info("hidden", ox.FLOAT, ["batch", "length", h])],
        [("", 17), (_MS, 1)],
    )
