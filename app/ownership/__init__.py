"""Equity stakes and the ownership engine."""
