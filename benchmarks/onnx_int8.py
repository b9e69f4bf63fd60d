"""ONNX Runtime, float32 and dynamic int8, against mtqa's numpy network (issue #10's trial).

Exports the QE network (encoder layers and both heads; word embeddings fed as input) with
torch, quantises it with onnxruntime's ``quantize_dynamic`` in three ways, and prints for
each: sentences/s on real-length news sentences (the seeds and the cached realdev set),
the largest sentence-logit difference from numpy, and the model's sentence ROC AUC on the
shared devset (major-error sentences against clean ones).

Needs what checking does not: ``pip install onnxruntime onnx`` and the ``train`` extra.

    python benchmarks/onnx_int8.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset"
sys.path.insert(0, str(Path(__file__).parent))


def export(path: Path) -> None:
    import torch
    from safetensors.numpy import load_file

    from mtqa.qe.scorer import model_dir
    from mtqa.train.encoder import load_encoder, set_activation, truncate_layers
    from mtqa.train.model import QEModel

    meta = json.loads((model_dir() / "qe.json").read_text())
    encoder, _ = load_encoder()
    truncate_layers(encoder, meta["backbone"]["layers"])
    set_activation(encoder, meta["backbone"]["activation"])
    model = QEModel(encoder, 384).eval()
    trained = {
        k: torch.from_numpy(v.astype(np.float32))
        for k, v in load_file(str(model_dir() / "qe.safetensors")).items()
    }
    model.load_state_dict(trained, strict=False)

    class FromEmbeddings(torch.nn.Module):
        """QEModel.forward with the (frozen, 4-bit) word embeddings looked up outside."""

        def __init__(self, m: QEModel) -> None:
            super().__init__()
            self.m = m

        def forward(self, embeds: torch.Tensor, attention_mask: torch.Tensor, target_mask: torch.Tensor):
            hidden = self.m.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state
            token_logits = self.m.token_head(hidden).squeeze(-1)
            mask = target_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            top = token_logits.masked_fill(target_mask == 0, -1e4).max(dim=1).values
            mass = (torch.sigmoid(token_logits) * target_mask).sum(1) / 4.0
            features = torch.cat([hidden[:, 0], mean, top.unsqueeze(-1), mass.unsqueeze(-1)], dim=-1)
            return self.m.sentence_head(features).squeeze(-1), token_logits

    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        FromEmbeddings(model).eval(),
        (torch.randn(2, 10, 384), torch.ones(2, 10, dtype=torch.int64), torch.ones(2, 10, dtype=torch.int64)),
        str(path),
        input_names=["embeds", "attention_mask", "target_mask"],
        output_names=["sentence", "tokens"],
        dynamic_axes={
            "embeds": axes,
            "attention_mask": axes,
            "target_mask": axes,
            "sentence": {0: "batch"},
            "tokens": axes,
        },
        opset_version=17,
        dynamo=False,
    )


def devset() -> tuple[list, list[int]]:
    from mtqa.qe.inputs import Example

    examples, labels = [], []
    for line in (DEVSET / "devset.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        examples.append(Example(rec["mt_fr"], rec.get("source_en"), ()))
        labels.append(int(any(e["severity"] in ("major", "critical") for e in rec["errors"])))
    for line in (DEVSET / "clean_fr.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            examples.append(Example(line.strip(), None, ()))
            labels.append(0)
    return examples, labels


def main() -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from start_up import real_sentences

    from mtqa.qe.inputs import Example, tokenize
    from mtqa.qe.metrics import roc_auc
    from mtqa.qe.scorer import _length_batches, load_scorer

    scorer = load_scorer()
    network = scorer.network

    def logits(examples: list, run) -> np.ndarray:
        lengths = [len(e.fr) + len(e.en or "") for e in examples]
        out = np.zeros(len(examples), dtype=np.float32)
        for idx in _length_batches(lengths, 32):
            b = tokenize(scorer.tokenizer, [examples[i] for i in idx])
            out[idx] = run(b)
        return out

    def numpy_run(b) -> np.ndarray:
        return network(b.input_ids, b.attention_mask, b.target_mask)[0]

    def ort_run(session):
        def run(b) -> np.ndarray:
            feeds = {
                "embeds": network.words[b.input_ids],
                "attention_mask": b.attention_mask,
                "target_mask": b.target_mask,
            }
            return session.run(["sentence"], feeds)[0]

        return run

    news = [Example(t, None, ()) for t in real_sentences()]
    dev, labels = devset()
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "qe.onnx"
        export(fp32)
        variants = {"numpy (mtqa)": None, "onnxruntime float32": fp32}
        for name, kwargs in {
            "onnxruntime int8, per channel": {"weight_type": QuantType.QInt8, "per_channel": True},
            "onnxruntime int8, FFN only": {"weight_type": QuantType.QInt8, "per_channel": True, "ffn": True},
            "onnxruntime uint8, reduced range": {"weight_type": QuantType.QUInt8, "reduce_range": True},
        }.items():
            path = Path(tmp) / f"{len(variants)}.onnx"
            nodes = None
            if kwargs.pop("ffn", False):
                import onnx

                graph = onnx.load(str(fp32)).graph
                nodes = [
                    n.name
                    for n in graph.node
                    if n.op_type == "MatMul"
                    and ("intermediate" in n.name or "/output/dense" in n.name)
                    and "attention" not in n.name
                ]
            quantize_dynamic(str(fp32), str(path), nodes_to_quantize=nodes, **kwargs)
            variants[name] = path
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        reference = None
        print(f"{len(news)} real news sentences; devset {len(labels)} sentences, {sum(labels)} major")
        for name, path in variants.items():
            run = (
                numpy_run
                if path is None
                else ort_run(ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"]))
            )
            logits(news[:64], run)  # warm-up
            start = time.perf_counter()
            out = logits(news, run)
            rate = len(news) / (time.perf_counter() - start)
            reference = out if reference is None else reference
            auc = roc_auc(list(logits(dev, run)), labels)
            gap = np.abs(out - reference).max()
            print(f"  {name:<34} {rate:5.0f} sentences/s  max |Δ logit| {gap:.4f}  devset AUC {auc:.4f}")


if __name__ == "__main__":
    main()
