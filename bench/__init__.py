"""Benchmarks: ``python -m bench`` (see bench/common.py)."""
