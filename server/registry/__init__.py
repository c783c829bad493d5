"""The registry: stations, areas, notices, staff, API tokens, alerts, quarantine, audit log.

SQLAlchemy 2 models with Alembic migrations; SQLite by default, PostgreSQL in production.
"""
