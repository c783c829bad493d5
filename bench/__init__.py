"""Benchmarks: each script prints its figures, the last line one JSON object."""
