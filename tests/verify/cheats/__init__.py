"""The cheat suite's candidates (one module per category of issue 15) and its lab."""
