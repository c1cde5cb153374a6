"""Token counts for the prompt budget, from a chars-per-token ratio measured on real calls.

No tokenizer ships offline (tiktoken downloads its BPE files at first use), so the meter starts
from a conservative 3.0 characters per token (code in cl100k/o200k runs about 3.5 to 4.5) and
then learns the ratio from the `prompt_tokens` the provider reports for the prompts we sent.
"""

from __future__ import annotations

import math

DEFAULT_CHARS_PER_TOKEN = 3.0


class TokenMeter:
    def __init__(self, chars_per_token: float = DEFAULT_CHARS_PER_TOKEN) -> None:
        self.chars_per_token = chars_per_token
        self.measured = False

    def count(self, text: str) -> int:
        return math.ceil(len(text) / self.chars_per_token)

    def observe(self, chars: int, tokens: int) -> None:
        """Learn from one call: `chars` sent, `tokens` the server counted (0 = unknown)."""
        if tokens <= 0 or chars < 200:
            return
        ratio = min(max(chars / tokens, 1.5), 8.0)
        # the first measurement replaces the guess; later ones move it gently
        self.chars_per_token = ratio if not self.measured else 0.7 * self.chars_per_token \
            + 0.3 * ratio
        self.measured = True
