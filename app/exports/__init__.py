"""Audit exports: deterministic packages of the books, registers and audit trail, and the change feed."""
