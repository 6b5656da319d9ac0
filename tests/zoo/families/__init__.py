"""One module per template family (see tests/zoo/family.py)."""
