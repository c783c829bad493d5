"""The backend: MQTT ingest, time-series and registry storage, REST API and staff dashboard."""
