"""Enrolling stations: identity, broker credentials and ACL, signing keys, config, first boot."""
