"""Books: the group chart of accounts, journals, periods and trial balances."""
