"""`python -m bench.serve ARGS`: uvicorn's own command line, with Nagle off under `--workers N`.

The workaround is the application's own (`app.core.serving`, which `groupledger serve` installs too; see
there for uvicorn's issue): the benchmark serves the app exactly as production does, while keeping uvicorn's
command line. The HTTP scenario also measures the stock command once, so the size of the stall stays on
record.
"""

from __future__ import annotations

import uvicorn.main

from app.core.serving import use_tcp_protocol_for_bound_sockets

if __name__ == "__main__":
    use_tcp_protocol_for_bound_sockets()
    uvicorn.main.main()
