"""Test helpers shared across the suite (the loopback LLM server)."""
