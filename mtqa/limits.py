"""Resource limits: what keeps one input from exhausting time or memory.

Every check runs in time linear in the input; these bounds keep the constant sane on
pathological text (a 5 MB "sentence", a 100,000-letter "word", a page of garbage that
trips a rule every few characters). The README lists them; tests exercise each one.
"""

from __future__ import annotations

# The largest input read, in bytes (``--max-bytes`` / ``max-bytes`` change it).
MAX_BYTES = 5_000_000

# The model reads at most this many tokens at once (its training window). A sentence
# that fits with its English source is read with it; one that fits alone is read without
# it; a longer one is read in overlapping windows.
MODEL_WINDOW_TOKENS = 192
MODEL_WINDOW_OVERLAP = 32
# Longer sentences (about 9,000 characters of French) are not scored: no news sentence is
# that long, and scoring one would cost more than a whole article.
MODEL_MAX_SENTENCE_TOKENS = 2_048
# The model scores the sentences that start within this many characters of a document
# (about 20 long articles); later ones keep their rule findings but get no score.
MODEL_MAX_DOCUMENT_CHARS = 100_000

# The aligner embeds the segments that start within this many characters of each side
# (the English side: that budget over 1.15); later French sentences are not compared with
# the source, and no omission or addition is reported near the cut.
ALIGN_MAX_CHARS = MODEL_MAX_DOCUMENT_CHARS

# Longer runs of letters are not words: the lexicon checks (non-words, English runs)
# skip them instead of looking them up and caching them.
MAX_WORD_CHARS = 40

# Beyond this many findings in one document, the rest are summarised in one finding
# (MTQA899) on the first one left out: such a text is garbled, and a report of 100,000
# findings helps no one.
MAX_FINDINGS_PER_DOCUMENT = 500
