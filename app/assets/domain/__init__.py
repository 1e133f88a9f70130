"""Pure rules of fixed assets and their flow between group companies: no database, no web.

- `periods`: months, the month clock and the month convention (Chinese "next month" rule by default);
- `depreciation`: schedules for the four methods, books (one per holder), monthly charges in cents, figures
  on any date;
- `accounting`: the entries of acquisition, depreciation, transfers (both sides, per kind), disposal and
  impairment;
- `unrealized`: the unrealised profit on an intragroup sale and its release;
- `rollforward`: the movement schedule of carrying amounts;
- `workflow`: request and approval rules (maker-checker, second approval above a threshold).
"""
