"""Benchmarks of contentctl: run `python -m benchmarks`."""
