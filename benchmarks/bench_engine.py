"""Availability engine micro-benchmark.

Run:  PYTHONPATH=src python benchmarks/bench_engine.py      (or with slotwise installed)

Scenario: one host, Mon-Fri 09:00-17:00 Europe/Berlin, a 31-day window, a 30-minute event with
a 15-minute interval, and 0 / 100 / 1,000 / 10,000 existing bookings *inside* the window passed as
busy intervals (UTC datetimes, as they come out of the database).

Bookings outside the requested window never reach the engine: the slots service asks the
database only for busy rows overlapping the window (plus buffers), so the engine's cost depends
on the bookings in the window, not on the size of the bookings table.

Printed: the median CPU time (``time.thread_time``) and wall time of one ``compute_slots`` call
over many calls (after warm-up), the number of slots returned, and the ratio to the 0-bookings
baseline. CPU time is the headline figure because it is not inflated by other processes sharing
the cores; on an idle machine the two agree. Targets: < 2 ms per call
with 1,000 bookings; time grows no worse than linearly with the number of bookings.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall

from slotwise.availability import Busy, EventRules, Host, WeeklyRule, compute_slots

WINDOW_START = datetime(2050, 9, 1, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=31)
NOW = datetime(2050, 8, 1, tzinfo=UTC)
RULES = EventRules(length=30, interval=15)
SIZES = (0, 100, 1_000, 10_000)


def make_host(n_bookings: int, seed: int = 42) -> Host:
    rng = random.Random(seed)
    busy = []
    span_minutes = 31 * 24 * 60
    for _ in range(n_bookings):
        start = WINDOW_START + timedelta(minutes=15 * rng.randrange(span_minutes // 15 - 4))
        length = rng.choice((15, 30, 45, 60))
        busy.append(Busy(start, start + timedelta(minutes=length)))
    return Host(
        host_id=1,
        time_zone="Europe/Berlin",
        weekly=(WeeklyRule(frozenset({1, 2, 3, 4, 5}), wall(9), wall(17)),),
        busy=tuple(busy),
    )


def bench(host: Host, min_seconds: float = 1.0, min_calls: int = 100) -> tuple[float, float, int]:
    """(median wall seconds, median CPU seconds, slots) of one compute_slots call."""
    hosts = [host]
    slots = []
    for _ in range(5):  # warm-up (zone caches, imports)
        slots = compute_slots(hosts, RULES, WINDOW_START, WINDOW_END, NOW)
    wall_times: list[float] = []
    cpu_times: list[float] = []
    deadline = time.perf_counter() + min_seconds
    while len(wall_times) < min_calls or time.perf_counter() < deadline:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        compute_slots(hosts, RULES, WINDOW_START, WINDOW_END, NOW)
        wall_times.append(time.perf_counter() - t0)
        cpu_times.append(time.thread_time() - c0)
    return statistics.median(wall_times), statistics.median(cpu_times), len(slots)


def main() -> int:
    print(
        f"python {sys.version.split()[0]}; 1 host Mon-Fri 09-17 Europe/Berlin, 31-day window, 30-min event, 15-min interval"
    )
    print("CPU = per-call thread CPU time (robust when other processes share the cores); wall = perf_counter")
    header = (
        f"{'bookings':>9} {'slots':>6} {'CPU ms/call':>12} {'wall ms/call':>13} {'x baseline':>11} {'us/booking':>11}"
    )
    print(header)
    baseline = 0.0
    cpu_by_size: dict[int, float] = {}
    for n in SIZES:
        wall_median, cpu_median, n_slots = bench(make_host(n))
        baseline = baseline or cpu_median
        per_booking = (cpu_median - baseline) / n * 1e6 if n else 0.0
        cpu_by_size[n] = cpu_median
        print(
            f"{n:>9} {n_slots:>6} {cpu_median * 1e3:>12.3f} {wall_median * 1e3:>13.3f}"
            f" {cpu_median / baseline:>11.2f} {per_booking:>11.2f}"
        )
    ms_1000 = cpu_by_size[1_000] * 1e3
    verdict = "OK" if ms_1000 < 2.0 else "ABOVE TARGET"
    print(f"1,000 bookings: {ms_1000:.3f} ms CPU per call (target < 2 ms): {verdict}")
    for small, big in ((100, 1_000), (1_000, 10_000)):
        ratio = cpu_by_size[big] / cpu_by_size[small]
        shape = "no worse than linear" if ratio <= big / small else "WORSE THAN LINEAR"
        print(f"{small:,} -> {big:,} bookings: time x{ratio:.1f} for x{big // small} bookings ({shape})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
