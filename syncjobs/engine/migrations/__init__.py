"""Alembic environment of the engine's tables (version table `engine_alembic_version`)."""
