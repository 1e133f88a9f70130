"""Benchmarks: timed scenarios on generated data, each runnable as `python -m bench.<scenario>`."""
