"""`python -m bench`: run every benchmark scenario, print the table, write bench/results/latest.{json,md}."""

from bench.runner import main

raise SystemExit(main())
