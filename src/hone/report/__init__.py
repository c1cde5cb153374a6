"""Seeing a run: the self-contained HTML report, the live dashboard and the terminal view."""
