"""Scan jobs and their results, persisted in PostgreSQL."""
