"""Storage: SQLAlchemy 2 models, Alembic migrations, and the repository functions the web app
and the CLI share. SQLite is the embedded default; PostgreSQL works through the database URL.
"""
