"""Alerts for ward staff: pure rules, their state in the registry, and a webhook notifier."""
