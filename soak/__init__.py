"""Soak and crash test of the running service (see soak/runner.py and docs/RELIABILITY.md)."""
