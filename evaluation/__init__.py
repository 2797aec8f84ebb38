"""Measures the product against the simulator's ground truth (A/B runs, oracles). Only bench/
and tests import it; the product never does (tests/test_layering.py)."""
