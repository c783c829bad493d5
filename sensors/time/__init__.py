"""Time on a Pi without a real-time clock: the clocks, stamping and re-dating, the session."""
