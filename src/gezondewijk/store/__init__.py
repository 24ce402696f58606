"""Storage: SQLAlchemy 2 models, Alembic migrations and shared repository functions.

SQLite is the embedded default; PostgreSQL works through the database URL.
"""
