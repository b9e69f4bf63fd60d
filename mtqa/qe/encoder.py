"""A lean XLM-RoBERTa encoder for inference, in plain torch.

Training uses transformers' ``XLMRobertaModel``; importing it costs several seconds,
more than a whole one-article check may take. This module computes the same function
(post-layer-norm blocks, exact GELU, XLM-R position ids) with the same parameter names,
so a state dict moves between the two unchanged; a test checks they agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn


class _Embeddings(nn.Module):
    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__()
        hidden = cfg["hidden_size"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], hidden, padding_idx=cfg["pad_token_id"])
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=cfg["layer_norm_eps"])
        self.pad = cfg["pad_token_id"]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        # XLM-R numbers positions from pad+1, skipping padding.
        mask = attention_mask.to(torch.long)
        positions = torch.cumsum(mask, dim=1) * mask + self.pad
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        x = x + self.token_type_embeddings.weight[0]
        return self.LayerNorm(x)


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class _Output(nn.Module):
    def __init__(self, d_in: int, hidden: int, eps: float) -> None:
        super().__init__()
        self.dense = nn.Linear(d_in, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)


class _Attention(nn.Module):
    def __init__(self, hidden: int, eps: float) -> None:
        super().__init__()
        self.self = _SelfAttention(hidden)
        self.output = _Output(hidden, hidden, eps)


class _Intermediate(nn.Module):
    def __init__(self, hidden: int, inner: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden, inner)


class _Layer(nn.Module):
    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__()
        hidden, eps = cfg["hidden_size"], cfg["layer_norm_eps"]
        self.heads = cfg["num_attention_heads"]
        self.attention = _Attention(hidden, eps)
        self.intermediate = _Intermediate(hidden, cfg["intermediate_size"])
        self.output = _Output(cfg["intermediate_size"], hidden, eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        att = self.attention.self

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, h // self.heads).transpose(1, 2)

        q, k, v = split(att.query(x)), split(att.key(x)), split(att.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + bias
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h)
        x = self.attention.output.LayerNorm(self.attention.output.dense(ctx) + x)
        inner = nn.functional.gelu(self.intermediate.dense(x))
        return self.output.LayerNorm(self.output.dense(inner) + x)


class _Stack(nn.Module):
    def __init__(self, cfg: dict[str, Any], n_layers: int) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(cfg) for _ in range(n_layers))


@dataclass
class EncoderOutput:
    last_hidden_state: torch.Tensor


class LeanEncoder(nn.Module):
    """Same call and parameter names as ``XLMRobertaModel(add_pooling_layer=False)``."""

    def __init__(self, cfg: dict[str, Any], n_layers: int) -> None:
        super().__init__()
        self.config = cfg
        self.embeddings = _Embeddings(cfg)
        self.encoder = _Stack(cfg, n_layers)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> EncoderOutput:
        x = self.embeddings(input_ids, attention_mask)
        # Additive mask: padding keys get a large negative score.
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return EncoderOutput(x)

    @property
    def hidden_size(self) -> int:
        return int(self.config["hidden_size"])
