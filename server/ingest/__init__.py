"""The ingest worker: shared MQTT subscription → validation → time-series store."""
