"""Events that reshape the group: combinations, changes of holding, disposals, capital changes, mergers."""
