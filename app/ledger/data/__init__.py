"""Packaged chart-of-accounts data (CSV), read through importlib.resources by app.ledger.chart_data."""
