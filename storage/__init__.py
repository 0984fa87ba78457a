"""Persistence: SQLModel tables, engines and sessions, Alembic migrations, repositories.

Nothing here knows about chat commands or transports.
"""
