"""Benchmarks: each script prints its figures, the last line one JSON object (json.loads).

A package only so that bench/kiosk.py is not mistaken for the kiosk package.
"""
