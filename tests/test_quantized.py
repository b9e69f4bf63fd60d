"""The int8 encoder checking runs (mtqa.qe.quantized) and the ONNX writer it builds on."""

from __future__ import annotations

import multiprocessing

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from mtqa.qe import onnx_writer as ox
from mtqa.qe.inputs import Example
from mtqa.qe.quantized import limit_threads, quantize_columns
from mtqa.qe.scorer import QEScorer

SENTENCES = [
    "Le gouvernement a annoncé mardi une hausse de 3 % du budget de la défense pour l'an prochain.",
    "Les pompiers ont maîtrisé l'incendie qui avait ravagé un entrepôt dans la nuit de samedi à dimanche.",
    "Le ministère des Affaires étrangères américain a convoqué l'ambassadeur après le rapport.",
    "Les troupes russes ont perdu le nombre face aux soldats ukrainiens dans la région de Kharkiv.",
    "La ministre s'est démissionné hier soir après une réunion houleuse avec les syndicats.",
    "Selon la police, le suspect a été arrêté à son domicile et placé en garde à vue.",
    "Le match a été reporté à cause de la pluie, a indiqué la fédération dans un communiqué.",
    "Il a dit que le projet de loi sera voté la semaine prochaine par le Sénat sans aucun doute.",
]


@pytest.fixture(scope="module")
def scorers() -> tuple[QEScorer, QEScorer]:
    return QEScorer(quantized=False), QEScorer()


def _logits(scorer: QEScorer, texts: list[str]) -> np.ndarray:
    """Sentence logits as checking computes them (int8: one sentence per run)."""
    return np.array([r.sentence_logit for r in scorer.raw([Example(x, None, ()) for x in texts])])


def _same_encoder(a: QEScorer, b: QEScorer) -> bool:
    """The same int8 graph with the same weights."""
    qa, qb = a.network.quantized, b.network.quantized
    same_weights = qa.weights.keys() == qb.weights.keys() and all(
        np.array_equal(qa.weights[k], qb.weights[k]) and qa.weights[k].dtype == qb.weights[k].dtype
        for k in qa.weights
    )
    return qa.graph == qb.graph and same_weights


def test_writer_output_is_a_model_the_onnx_package_accepts_and_runtime_runs() -> None:
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    model = ox.model(
        [ox.node("MatMul", ["x", "w"], ["y"]), ox.node("Add", ["y", "b"], ["z"])],
        [ox.tensor("w", w), ox.tensor("b", b)],
        [ox.value_info("x", ox.FLOAT, ["batch", 4])],
        [ox.value_info("z", ox.FLOAT, ["batch", 3])],
        [("", 17)],
    )
    parsed = onnx.load_from_string(model)
    onnx.checker.check_model(parsed, full_check=True)
    assert [n.op_type for n in parsed.graph.node] == ["MatMul", "Add"]
    assert parsed.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    x = rng.standard_normal((5, 4)).astype(np.float32)
    out = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(["z"], {"x": x})[0]
    np.testing.assert_allclose(out, x @ w + b, rtol=1e-5, atol=1e-6)


def test_weights_given_as_arrays_compute_what_weights_in_the_graph_compute() -> None:
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 3)).astype(np.float32)

    def graph(weight: bytes) -> bytes:
        return ox.model(
            [ox.node("MatMul", ["x", "w"], ["y"])],
            [weight],
            [ox.value_info("x", ox.FLOAT, ["batch", 4])],
            [ox.value_info("y", ox.FLOAT, ["batch", 3])],
            [("", 17)],
        )

    external = graph(ox.external_tensor("w", w))
    proto = onnx.load_from_string(external).graph.initializer[0]
    assert proto.data_location == onnx.TensorProto.EXTERNAL and not proto.raw_data
    options = ort.SessionOptions()
    options.add_external_initializers(["w"], [ort.OrtValue.ortvalue_from_numpy(w)])
    x = rng.standard_normal((2, 4)).astype(np.float32)
    given = ort.InferenceSession(external, options, providers=["CPUExecutionProvider"]).run(["y"], {"x": x})
    inline = ort.InferenceSession(graph(ox.tensor("w", w)), providers=["CPUExecutionProvider"]).run(
        ["y"], {"x": x}
    )
    np.testing.assert_array_equal(given[0], inline[0])


def test_writer_encodes_attributes_and_negative_integers() -> None:
    node = onnx.NodeProto.FromString(
        ox.node("Concat", ["a", "", "b"], ["c"], "com.microsoft", axis=-1, epsilon=1e-12)
    )
    assert list(node.input) == ["a", "", "b"] and node.domain == "com.microsoft"
    attrs = {a.name: a for a in node.attribute}
    assert attrs["axis"].i == -1 and attrs["axis"].type == onnx.AttributeProto.INT
    assert attrs["epsilon"].f == pytest.approx(1e-12) and attrs["epsilon"].type == onnx.AttributeProto.FLOAT
    t = onnx.TensorProto.FromString(ox.tensor("s", np.array([[-3, 7]], dtype=np.int8)))
    assert onnx.numpy_helper.to_array(t).tolist() == [[-3, 7]]


def test_checking_graph_is_well_formed(scorers: tuple[QEScorer, QEScorer]) -> None:
    quantized = scorers[1].network.quantized
    model = onnx.load_from_string(quantized.graph)
    # The graph names its weights; with their values put in, it is a complete model.
    names = [t.name for t in model.graph.initializer]
    assert names and set(names) == set(quantized.weights)
    del model.graph.initializer[:]
    model.graph.initializer.extend(onnx.numpy_helper.from_array(quantized.weights[n], n) for n in names)
    onnx.checker.check_model(model)
    ops = [n.op_type for n in model.graph.node]
    layers = len(scorers[1].network.layers)
    assert ops.count("QAttention") == ops.count("FastGelu") == layers
    assert ops.count("DynamicQuantizeMatMul") == 3 * layers  # every weight matrix is int8
    assert "MatMul" not in ops


def test_columns_quantise_to_within_half_a_step() -> None:
    w = np.random.default_rng(1).standard_normal((64, 16)).astype(np.float32) * np.arange(1, 17)
    q, scale = quantize_columns(w)
    assert q.dtype == np.int8 and np.abs(q).max() == 127
    assert np.all(np.abs(q * scale - w) <= scale / 2 + 1e-6)


def test_int8_scores_track_the_float_model(scorers: tuple[QEScorer, QEScorer]) -> None:
    reference, fast = (_logits(s, SENTENCES) for s in scorers)
    assert np.corrcoef(reference, fast)[0, 1] > 0.98
    assert np.abs(reference - fast).mean() < 0.5
    assert scorers[1].id.endswith("int8") and scorers[0].id.endswith("float32")


def _in_child(queue: multiprocessing.Queue, scorer: QEScorer, threads: int) -> None:
    limit_threads(threads)
    queue.put(_logits(scorer, SENTENCES).tolist())


@pytest.mark.parametrize("threads", [1, 2])
def test_int8_scores_are_the_same_in_a_forked_worker(
    scorers: tuple[QEScorer, QEScorer], threads: int
) -> None:
    """--jobs forks workers from a loaded scorer: each builds its own session, with its own
    thread count, and must score exactly as the parent does."""
    here = _logits(scorers[1], SENTENCES).tolist()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_child, args=(queue, scorers[1], threads))
    child.start()
    there = queue.get(timeout=120)
    child.join(30)
    assert there == here


def test_a_sentence_scores_the_same_whatever_is_scored_with_it(scorers: tuple[QEScorer, QEScorer]) -> None:
    """Int8 activations are quantised per run: a batch's other sentences would move a score."""
    fast = scorers[1]
    alone = fast.predict(SENTENCES[:1], [None])[0]
    together = fast.predict(SENTENCES, [None] * len(SENTENCES))[0]
    assert alone.error_probability == together.error_probability
    assert alone.spans == together.spans


def test_runs_side_by_side_score_as_runs_one_after_another(scorers: tuple[QEScorer, QEScorer]) -> None:
    """Checking spreads int8 runs over the cores (one thread each): the order they finish in
    must not move a score."""
    fast = scorers[1]
    try:
        limit_threads(1)
        one_by_one = [
            (r.sentence_logit, r.token_logits) for r in fast.raw([Example(x, None, ()) for x in SENTENCES])
        ]
        limit_threads(3)
        side_by_side = [
            (r.sentence_logit, r.token_logits) for r in fast.raw([Example(x, None, ()) for x in SENTENCES])
        ]
    finally:
        limit_threads(0)
    assert len(SENTENCES) > 3 and one_by_one == side_by_side


def _int8_cache_files(home) -> list:
    return sorted(home.glob("encoder-int8-*"))


def test_int8_weights_come_from_the_cache_as_computed(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The int8 weights are computed once and then read from the cache: the same tensors, the
    same graph, the same scores."""
    monkeypatch.setattr("mtqa.qe.quantized.cache_dir", lambda: tmp_path)
    built = QEScorer()
    assert [p.suffix for p in _int8_cache_files(tmp_path)] == [".safetensors", ".sha256"]
    calls = []
    monkeypatch.setattr(
        "mtqa.qe.scorer.int8_tensors", lambda *a: calls.append(a) or pytest.fail("computed again")
    )
    cached = QEScorer()
    assert not calls
    assert _same_encoder(cached, built)
    assert _logits(cached, SENTENCES).tolist() == _logits(built, SENTENCES).tolist()


def test_checking_with_the_int8_cache_never_reads_the_layers_float_weights(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtqa.qe import scorer

    monkeypatch.setattr("mtqa.qe.quantized.cache_dir", lambda: tmp_path)
    QEScorer()  # quantises and caches
    read: list[str] = []
    real = scorer._FloatWeights.__getitem__

    def recording(self: object, name: str) -> np.ndarray:
        read.append(name)
        return real(self, name)  # type: ignore[arg-type]

    monkeypatch.setattr(scorer._FloatWeights, "__getitem__", recording)
    cached = QEScorer()
    _logits(cached, SENTENCES[:2])
    layer_matrices = [n for n in read if ".layer." in n and n.endswith(".weight") and "LayerNorm" not in n]
    assert read and not layer_matrices


def test_a_damaged_int8_cache_is_never_used(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mtqa.qe.quantized.cache_dir", lambda: tmp_path)
    good = QEScorer()
    data = _int8_cache_files(tmp_path)[0]
    raw = bytearray(data.read_bytes())
    raw[-100] ^= 0x40  # one bit of one weight: still a valid safetensors file
    data.write_bytes(bytes(raw))
    again = QEScorer()
    assert _same_encoder(again, good)
    assert data.read_bytes() != bytes(raw)  # computed again and rewritten


def test_an_unwritable_cache_computes_the_int8_weights_each_time(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: object, data: object) -> None:
        raise PermissionError("read-only cache")

    reference = QEScorer()
    monkeypatch.setattr("mtqa.qe.quantized.write_atomic", read_only)
    monkeypatch.setattr("mtqa.qe.quantized.cache_dir", lambda: tmp_path / "int8")
    scorer = QEScorer()
    assert not (tmp_path / "int8").exists()
    assert _same_encoder(scorer, reference)
