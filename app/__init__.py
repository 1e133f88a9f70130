"""GroupLedger: the system of record for an enterprise group."""

__version__ = "0.1.0"
