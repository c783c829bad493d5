"""The registry: stations, areas, notices, receipts, staff, API tokens, alerts, quarantine,
audit log.

SQLAlchemy 2 models with Alembic migrations; SQLite by default, PostgreSQL in production.
"""
