"""Pure rules of the books (no database, no web).

- `entries`: what makes a journal entry postable (every violation at once) and what its reversal is.
- `calendar`: fiscal years and months (fiscal year = calendar year), `yyyy-mm` periods.
- `trial_balance`: the trial balance for a date from kept monthly totals: balance-sheet accounts cumulative,
  income and expense year to date, prior years' profit carried in retained earnings.
- `packages`: reading a subsidiary's reporting package (every problem with row and column) and the one
  adjustment entry that brings the books to its balances.
- `intercompany`: matching what group companies booked against each other, by pair of account groups.
- `fx`: choosing the exchange rate for a date.
"""
