"""The improvement loop: select parent, propose, materialise, verify, decide, record."""
