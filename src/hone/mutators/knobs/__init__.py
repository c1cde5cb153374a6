"""Numeric literals the classic mutator may change: where they are (`sites`), knobs marked with
a range (`marks`), and the TPE search over the knobs (`tpe`). Kept import-free."""
