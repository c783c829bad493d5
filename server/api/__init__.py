"""The REST API and staff dashboard (FastAPI)."""
