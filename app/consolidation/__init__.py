"""Consolidation: the group's statements from its companies' books (DOMAIN Part 1 "Consolidation runs").

`domain` holds the pure engine (no database, no web): the service layer loads the books, the scope from the
ownership engine and the recorded group events, and calls `domain.consolidate`.
"""
