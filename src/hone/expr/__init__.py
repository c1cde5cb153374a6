"""Arithmetic over metrics: the score expression and the constraints, parsed safely (never
`eval`ed). A leaf: config validates with it, the verifier evaluates with it."""
