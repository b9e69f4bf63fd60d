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

The int8 weights are computed from the float safetensors once, deterministically, and kept
in mtqa's cache as a safetensors file checked against its sha256 on every load (computing
them again costs a tenth of a second per start). The graph is built in memory
(``mtqa.qe.onnx_writer``) and given them as arrays: nothing but safetensors is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import weakref
from collections.abc import Callable, Sequence

import numpy as np

from mtqa.cache import cache_dir, prune_versions, write_atomic
from mtqa.qe import onnx_writer as ox
from mtqa.qe.checksums import matches

log = logging.getLogger(__name__)
# Bump when int8_tensors computes anything differently: the cached file's name changes with it.
INT8_FORMAT = 1
INT8_PREFIX = "encoder-int8-"  # the cached int8 encoder's files (``mtqa cache`` sizes and drops them)

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

    def __init__(self, tensors: dict[str, np.ndarray], heads: int, eps: float, activation: str) -> None:
        self.graph, self.weights = _graph(tensors, heads, eps, activation)
        self._session: tuple[int, object, list] | None = None
        _live.add(self)

    def _run(self):
        # Each process builds its own session (see _close_sessions).
        if self._session is None or self._session[0] != os.getpid():
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = 1  # runs go side by side instead (parallel_runs)
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            # The arrays' memory must outlive the session: the values are kept beside it.
            values = [ort.OrtValue.ortvalue_from_numpy(w) for w in self.weights.values()]
            options.add_external_initializers(list(self.weights), values)
            session = ort.InferenceSession(self.graph, options, providers=["CPUExecutionProvider"])
            self._session = (os.getpid(), session, values)
        return self._session[1]

    def __call__(self, x: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {
            "embedded": np.ascontiguousarray(x, dtype=np.float32),
            "mask": attention_mask.astype(np.int32),
        }
        return self._run().run(["hidden"], feeds)[0]


# ONNX Runtime's fused GELUs: FastGelu is the tanh form, BiasGelu the exact (erf) one.
_GELU = {"gelu": "BiasGelu", "gelu_pytorch_tanh": "FastGelu", "gelu_new": "FastGelu"}


def int8_tensors(layers: Sequence[dict], smooth: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Every constant of the int8 graph by name, from the float layers (``QENetwork.layers``)
    and each layer's FFN smoothing factors."""
    t: dict[str, np.ndarray] = {}

    def int8(name: str, w: np.ndarray) -> None:
        t[name + ".w"], t[name + ".scale"] = quantize_columns(w)

    for i, layer in enumerate(layers):
        p = f"layer{i}"
        int8(p + ".qkv", np.concatenate([layer[k].weight_t for k in ("q", "k", "v")], axis=1))
        t[p + ".qkv.bias"] = np.concatenate([layer[k].bias for k in ("q", "k", "v")])
        int8(p + ".attention", layer["out"].weight_t)
        t[p + ".attention.bias"] = layer["out"].bias
        t[p + ".norm1.gamma"], t[p + ".norm1.beta"] = layer["out_norm"]
        int8(p + ".inner", layer["inner"].weight_t)
        t[p + ".inner.bias"] = layer["inner"].bias
        s = smooth[i].astype(np.float32)
        t[p + ".smooth"] = (1.0 / s).astype(np.float32)
        int8(p + ".ffn", layer["ffn"].weight_t * s[:, None])
        t[p + ".ffn.bias"] = layer["ffn"].bias
        t[p + ".norm2.gamma"], t[p + ".norm2.beta"] = layer["ffn_norm"]
    return {
        k: np.ascontiguousarray(v, dtype=np.int8 if k.endswith(".w") else np.float32) for k, v in t.items()
    }


def cached_int8_tensors(key: str, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """``build()``'s tensors, kept in mtqa's cache under ``key`` (the float weights' digest).

    The file is read through safetensors and checked against the sha256 written beside it
    (``mtqa.qe.checksums``);
    a missing, damaged or modified file is computed again (and rewritten where the cache is
    writable), so a wrong file never reaches the encoder."""
    from safetensors import safe_open  # never pickle
    from safetensors.numpy import save

    name = f"{INT8_PREFIX}v{INT8_FORMAT}-{key[:24]}"
    data_path, digest_path = cache_dir() / f"{name}.safetensors", cache_dir() / f"{name}.sha256"
    try:
        if matches(data_path, digest_path.read_text(encoding="ascii").strip()):
            with safe_open(str(data_path), framework="numpy") as f:  # one copy, from the mapped file
                return {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (a safetensors handle)
        log.warning("the int8 encoder in %s does not match its sha256: computed again", data_path)
    except OSError:
        pass  # not cached yet
    tensors = build()
    data = save(tensors)
    with contextlib.suppress(OSError):  # a read-only cache: computed on every start instead
        digest_path.unlink(missing_ok=True)  # data first, then its digest: a crash in between reads as stale
        write_atomic(data_path, data)
        write_atomic(digest_path, hashlib.sha256(data).hexdigest() + "\n")
        prune_versions(INT8_PREFIX, data_path)
    return tensors


def _graph(
    tensors: dict[str, np.ndarray], heads: int, eps: float, activation: str
) -> tuple[bytes, dict[str, np.ndarray]]:
    """The serialised ONNX model of the encoder layers (inputs ``embedded`` and ``mask``), and
    the constants it names, which the session is given as arrays (``ox.external_tensor``)."""
    nodes: list[bytes] = []
    weights: list[bytes] = []
    arrays: dict[str, np.ndarray] = {}

    def constant(name: str, array: np.ndarray) -> str:
        arrays[name] = np.ascontiguousarray(array)
        weights.append(ox.external_tensor(name, arrays[name]))
        return name

    def const(name: str) -> str:
        return constant(name, tensors[name])

    def zero_points(matrix: str) -> str:
        # Symmetric quantisation: a zero point of 0 per column, not worth storing.
        return constant(matrix + ".zero", np.zeros(len(tensors[matrix + ".scale"]), np.int8))

    def int8_matmul(x: str, out: str) -> str:
        args = [x, const(out + ".w"), const(out + ".scale"), zero_points(out)]
        nodes.append(ox.node("DynamicQuantizeMatMul", args, [out], _MS))
        return out

    def add_and_norm(y: str, residual: str, bias: str, out: str) -> str:
        args = [y, residual, const(out + ".gamma"), const(out + ".beta"), const(bias)]
        nodes.append(ox.node("SkipLayerNormalization", args, [out], _MS, epsilon=eps))
        return out

    x = "embedded"
    layers = 0
    while f"layer{layers}.qkv.w" in tensors:
        layers += 1
    for i in range(layers):
        p = f"layer{i}"
        nodes.append(ox.node("DynamicQuantizeLinear", [x], [p + ".x8", p + ".xscale", p + ".xzero"]))
        args = [
            p + ".x8",
            const(p + ".qkv.w"),
            const(p + ".qkv.bias"),
            p + ".xscale",
            const(p + ".qkv.scale"),
            "mask",
            p + ".xzero",
            zero_points(p + ".qkv"),
        ]
        nodes.append(ox.node("QAttention", args, [p + ".context"], _MS, num_heads=heads))
        out = int8_matmul(p + ".context", p + ".attention")
        x1 = add_and_norm(out, x, p + ".attention.bias", p + ".norm1")
        inner = int8_matmul(x1, p + ".inner")
        nodes.append(ox.node(_GELU[activation], [inner, const(p + ".inner.bias")], [p + ".gelu"], _MS))
        nodes.append(ox.node("Mul", [p + ".gelu", const(p + ".smooth")], [p + ".smoothed"]))
        ffn = int8_matmul(p + ".smoothed", p + ".ffn")
        x = add_and_norm(ffn, x1, p + ".ffn.bias", p + ".norm2")
    nodes.append(ox.node("Identity", [x], ["hidden"]))
    h = int(tensors["layer0.attention.w"].shape[1])
    graph = ox.model(
        nodes,
        weights,
        [
            ox.value_info("embedded", ox.FLOAT, ["batch", "length", h]),
            ox.value_info("mask", ox.INT32, ["batch", "length"]),
        ],
        [ox.value_info("hidden", ox.FLOAT, ["batch", "length", h])],
        [("", 17), (_MS, 1)],
    )
    return graph, arrays
