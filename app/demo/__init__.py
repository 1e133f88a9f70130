"""Demo data: the Beijing auto-parts group used for demonstrations, trials and load tests."""
