"""Estimating how many tokens a text costs, without a tokenizer.

Why one module below chunking and generation: document chunks are cut to a token target and
prompts are fitted into a model's context window; the rules for both live in one place.

`estimate_tokens`: no tokenizer can be downloaded at run time, so tokens are counted from a
regular expression that splits text into word pieces:
- a run of ASCII letters costs ceil(len / 7) (common words are one BPE token, long or rare
  words two or three);
- a run of other letters costs one per CJK/kana/hangul character and ceil(len / 3) for the
  rest (non-Latin scripts split finely in English-centred vocabularies);
- every digit, punctuation mark or symbol costs 1 (Llama-family tokenizers split digits);
- whitespace that holds a newline, or two or more spaces, costs 1; a single space is free.
Calibrated against the BPE tokenizer of the embedded default model (SmolLM2, 49k vocab) on
661 paragraphs of prose, Markdown, licences and Python: total estimate / true = 1.08,
median 1.10, 5th percentile 0.97, 95th 1.33 (chars/4, for comparison: 5th-95th percentile
0.61-1.40, undercounting code and tables). The estimate leans high on purpose: it is used to
fit prompts into context windows, and tokenizers with larger vocabularies (Llama 3,
GPT-4-class) produce fewer tokens than SmolLM2, never more. It is additive: for blocks with
no surrounding whitespace, tokens(a + "\\n\\n" + b) <= tokens(a) + 1 + tokens(b).

Generation's prompt budget (`sdg_ci.generate.model.budget`) counts with the same rule.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r"[^\W\d_]+|\s+|.", re.DOTALL)


def estimate_tokens(text: str) -> int:
    """Estimated BPE token count of `text` (see the module docstring for the rules)."""
    n = 0
    for match in _PIECE.finditer(text):
        piece = match.group()
        first = piece[0]
        if first.isspace():
            if len(piece) > 1 or first == "\n":
                n += 1
        elif first.isalpha():
            if piece.isascii():
                n += -(-len(piece) // 7)
            else:
                wide = sum(1 for c in piece if ord(c) >= 0x2E80)
                n += wide + -(-(len(piece) - wide) // 3)
        else:
            n += 1
    return n
