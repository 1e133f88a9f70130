"""Legal entities: group companies and outside parties, and their identifiers (USCC)."""
