"""Local station networks for the demo and the tests, as child processes."""
