"""Platform core: no business rules (config, database, errors, money, security, audit hook)."""
