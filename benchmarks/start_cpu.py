"""What ``slotwise serve`` does before uvicorn serves, without uvicorn: its CPU time, for A/B comparisons.

Run:  SLOTWISE_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python benchmarks/start_cpu.py

The imports, the migration check on the database (which must be migrated) and ``create_app()``, with the
collector off as ``serve`` has it; prints wall and CPU seconds. The machine's speed drifts by a third over a
day, so compare two versions by alternating them (``PYTHONPATH=/copy/of/src`` for the other one), or count
instructions, which do not drift:

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.start .venv/bin/python benchmarks/start_cpu.py
    # the "Collected" line it prints
``benchmarks/load.py --phases startup`` measures the whole cold start, to the first healthy answer.
"""

import asyncio
import gc
import time

began = time.perf_counter()
gc.disable()

import uvicorn  # noqa: E402, F401  (serve imports it before the app)

import slotwise.cli.main  # noqa: E402
from slotwise.config import Settings  # noqa: E402
from slotwise.db import migrate  # noqa: E402

asyncio.run(migrate(Settings.from_env().database_url))

import slotwise.app  # noqa: E402

slotwise.app.create_app()
print(f"wall {time.perf_counter() - began:.3f} s, CPU {time.process_time():.3f} s")
