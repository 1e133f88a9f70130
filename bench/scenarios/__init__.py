"""Scenario modules run by `python -m bench` (registered in `bench.runner.SCENARIOS`)."""
