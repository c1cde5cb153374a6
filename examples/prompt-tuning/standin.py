"""A rule-based stand-in for a chat model, served on 127.0.0.1, for trying this example offline.

It is NOT a language model: a dozen fixed rules decide what it answers, chosen so that a clearer
prompt gets better answers (it answers JSON only when asked for JSON, uses the exact labels only
when the prompt lists them, and tells high from low priority only as well as the prompt defines
them). It also grades summaries when asked by `hone.judge` (word overlap). Use it to see the
loop work end to end; use a real model to tune a real prompt.

    python3 standin.py --port 8765 &
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 PROMPT_MODEL=standin python3 evaluate.py
"""

from __future__ import annotations

import argparse
import json
import re
import time

from hone.loopback import LLMServer, Request

CATEGORIES = [("billing", ("charged", "invoice", "refund", "pay ")),
              ("account", ("password", "log in", "account")),
              ("bug", ("crash", "error")),
              ("feature", ("add ", "would be nice", "would love"))]
FREE_FORM = {"billing": "payment problem", "account": "login trouble", "bug": "app problem",
             "feature": "product idea"}


def split(prompt: str) -> tuple[str, str]:
    """(instructions, ticket): the ticket follows the last `Ticket:` or is the last paragraph."""
    if "Ticket:" in prompt:
        head, _, tail = prompt.rpartition("Ticket:")
        ticket, _, rest = tail.strip().partition("\n\n")
        return head + rest, ticket
    paragraphs = [p for p in prompt.strip().split("\n\n") if p.strip()]
    return "\n\n".join(paragraphs[:-1]), paragraphs[-1] if paragraphs else ""


def label(ticket: str) -> str:
    low = ticket.lower()
    return next((name for name, words in CATEGORIES if any(w in low for w in words)), "bug")


def priority(ticket: str, rules: str) -> str:
    low = ticket.lower()
    if "high" not in rules or "low" not in rules:
        return "high" if "urgent" in low else "medium"  # undefined scale: its own guess
    urgent = "urgent" in low or "crash" in low
    if "not urgent" in rules:  # the prompt warns about negations and says what blocks work
        urgent = ("urgent" in low and "not urgent" not in low) or any(
            w in low for w in ("crash", "locked", "never", "error 500"))
    return "high" if urgent else "low"


def answer(prompt: str) -> str:
    rules, ticket = split(prompt)
    rules = rules.lower()
    category = label(ticket)
    listed = all(name in rules for name, _ in CATEGORIES)
    fields = {"category": category if listed else FREE_FORM[category]}
    if "priority" in rules:
        fields["priority"] = priority(ticket, rules)
    if "summary" in rules:
        fields["summary"] = re.split(r"(?<=[.!?])\s", ticket.strip())[0]
    if "json" not in rules:
        return f"This ticket is about a {fields['category']}. " + " ".join(
            f"The {k} is {v}." for k, v in fields.items() if k != "category")
    return json.dumps(fields)


def grade(prompt: str) -> str:
    words = {m: set(re.findall(r"[a-z0-9]{3,}", part.lower())) for m, part in zip(
        ("reference", "answer"), re.split(r"Answer to grade:", prompt.split(
            "Reference answer:")[-1]), strict=False)}
    ref, got = words.get("reference", set()), words.get("answer", set())
    overlap = len(ref & got) / max(1, len(ref))
    return json.dumps({"score": 1 if overlap >= 0.3 else 0,
                       "reason": f"{overlap:.0%} of the reference's words"})


def respond(request: Request) -> str:
    text = request.prompt
    return grade(text) if "You grade an answer" in text else answer(text)


def main() -> None:
    ap = argparse.ArgumentParser(description="rule-based stand-in model on 127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    port = ap.parse_args().port
    with LLMServer(default=respond, port=port):
        print(f"stand-in model on http://127.0.0.1:{port}/v1 (Ctrl-C stops it)", flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
