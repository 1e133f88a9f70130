"""`python -m soak ...`: see soak.runner."""

import sys

from soak.runner import main

if __name__ == "__main__":
    sys.exit(main())
