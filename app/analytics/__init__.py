"""Group analytics: indicators per company, segment and group, concentration, trends, merger candidates,
the restructuring planner and charts (see docs/ANALYTICS.md)."""
