"""The verifier: gates first, then the objective, each command in its own process group."""
