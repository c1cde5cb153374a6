"""`hone probe`: generic cheats built from a config, run through the real verifier and decision.

target.py reads what the cheats are built from (the objective's script, the editable module it
imports, the tests the gates run); battery.py holds the cheats; runner.py runs them as attempts
of a throwaway run in a clone; table.py prints the outcome.
"""
