"""Just enough of the ONNX format to hand ONNX Runtime a graph built in memory.

The ``onnx`` package would do this, but importing it costs 1.8 s and 31 MB, which every
check would pay. An ONNX model is a protobuf message; the handful of fields a graph of
tensors, nodes and typed inputs needs are written here, field numbers as in ``onnx.proto``.
The graph never touches the disk, and the weights it names are handed to ONNX Runtime as
arrays: they still come from safetensors files only.
A test checks the output against the ``onnx`` package's own checker.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

_ELEMENT_TYPES = {
    np.dtype(np.float32): 1,
    np.dtype(np.uint8): 2,
    np.dtype(np.int8): 3,
    np.dtype(np.int32): 6,
    np.dtype(np.int64): 7,
}
FLOAT, INT32 = 1, 6


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64s are written as 10-byte two's complement
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _bytes(field: int, value: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(value)) + value


def _str(field: int, value: str) -> bytes:
    return _bytes(field, value.encode())


def tensor(name: str, array: np.ndarray) -> bytes:
    """A TensorProto holding ``array``'s values (little-endian raw data)."""
    array = np.ascontiguousarray(array)
    dims = _bytes(1, b"".join(_varint(d) for d in array.shape)) if array.shape else b""
    return (
        dims
        + _int(2, _ELEMENT_TYPES[array.dtype])
        + _str(8, name)
        + _bytes(9, array.astype("<" + array.dtype.str[1:]).tobytes())
    )


def external_tensor(name: str, array: np.ndarray) -> bytes:
    """A TensorProto that names ``array`` without holding its values: ONNX Runtime takes them
    from memory (``SessionOptions.add_external_initializers``), so the weights are neither
    copied into the message nor parsed out of it again (a tenth of a second per start)."""
    dims = _bytes(1, b"".join(_varint(d) for d in array.shape)) if array.shape else b""
    location = _bytes(13, _str(1, "location") + _str(2, name))
    return dims + _int(2, _ELEMENT_TYPES[array.dtype]) + _str(8, name) + location + _int(14, 1)


def _attribute(name: str, value: int | float) -> bytes:
    if isinstance(value, float):
        return _str(1, name) + _varint(2 << 3 | 5) + struct.pack("<f", value) + _int(20, 1)
    return _str(1, name) + _int(3, value) + _int(20, 2)


def node(
    op: str, inputs: Sequence[str], outputs: Sequence[str], domain: str = "", **attributes: int | float
) -> bytes:
    """A NodeProto; an empty input name stands for an omitted optional input."""
    return (
        b"".join(_str(1, i) for i in inputs)
        + b"".join(_str(2, o) for o in outputs)
        + _str(3, outputs[0])
        + _str(4, op)
        + b"".join(_bytes(5, _attribute(k, v)) for k, v in attributes.items())
        + (_str(7, domain) if domain else b"")
    )


def value_info(name: str, element_type: int, dims: Sequence[int | str]) -> bytes:
    """A typed graph input or output; a string dimension is symbolic (batch, length)."""
    shape = b"".join(_bytes(1, _str(2, d) if isinstance(d, str) else _int(1, d)) for d in dims)
    return _str(1, name) + _bytes(2, _bytes(1, _int(1, element_type) + _bytes(2, shape)))


def model(
    nodes: Sequence[bytes],
    initializers: Sequence[bytes],
    inputs: Sequence[bytes],
    outputs: Sequence[bytes],
    opsets: Sequence[tuple[str, int]],
) -> bytes:
    """A serialised ModelProto (IR version 8) with one graph."""
    graph = (
        b"".join(_bytes(1, n) for n in nodes)
        + _str(2, "mtqa")
        + b"".join(_bytes(5, t) for t in initializers)
        + b"".join(_bytes(11, v) for v in inputs)
        + b"".join(_bytes(12, v) for v in outputs)
    )
    imports = b"".join(_bytes(8, _str(1, domain) + _int(2, version)) for domain, version in opsets)
    return _int(1, 8) + _str(2, "mtqa") + _bytes(7, graph) + imports
