"""Pure rules of the analytics (no database, no web): figures from books, indicator formulas, concentration
(shares, HHI, CR4), trends over periods, the merger-candidate screen and the pro-forma effect of planned
entries. Every formula is written out in docs/ANALYTICS.md."""
