"""Helpers the tests share; nothing here is a test. conftest.py keeps only fixtures and hooks."""
