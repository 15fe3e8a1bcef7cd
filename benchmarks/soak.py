"""Leak check: one API process under steady mixed load for ten minutes, its memory sampled every 30 s.

Run:  make soak   (or: .venv/bin/python benchmarks/soak.py [--minutes 10] [--concurrency 8]
                        [--pg-url postgresql+asyncpg://...])

The workload is ``load.py``'s (80 % slot reads, 15 % bookings, 5 % cancels, webhooks delivered by the
process's own worker) on a fresh database of a private PostgreSQL cluster. After a one-minute warm-up
(first requests, caches, connection pool, the allocator's arenas) the resident memory (``VmRSS``) is
sampled every 30 s. Printed: each sample with that window's throughput and p99, then the least-squares
slope of memory over time.

Fails (exit 1) when memory grows: a slope above ``--max-slope`` MiB per minute (default 0.5, i.e. 5 MiB
over ten minutes), or the last three samples all above the first three by more than ``--max-growth``
MiB (default 10); or when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from load import Bench, Run, drive, percentile  # the sibling script; it puts the project on sys.path

from tests.reliability.pgcluster import PrivatePostgres, pg_bin_dir

SAMPLE_EVERY = 30.0


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minutes, MiB)."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=60, help="seconds of load before the first sample")
    parser.add_argument("--max-slope", type=float, default=0.5, help="MiB per minute")
    parser.add_argument("--max-growth", type=float, default=10.0, help="MiB, last samples over first ones")
    parser.add_argument("--pg-url", help="an existing PostgreSQL admin URL instead of a private cluster")
    args = parser.parse_args()

    cluster = None
    if not args.pg_url:
        if pg_bin_dir() is None:
            print("soak.py needs initdb/pg_ctl (the postgresql package), or --pg-url", file=sys.stderr)
            return 2
        cluster = PrivatePostgres()
        cluster.start()
    logs = Path(tempfile.mkdtemp(prefix="slotwise-soak-"))
    bench = Bench(cluster, args.pg_url, logs)
    print(
        f"# soak.py: 1 API process, {args.concurrency} clients, {args.warmup:.0f} s warm-up + {args.minutes:g} min, "
        f"RSS every {SAMPLE_EVERY:.0f} s; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; logs in {logs}",
        flush=True,
    )
    try:
        url, world = await bench.fresh_database()
        (api,) = bench.apis(url, 1)
        try:
            idle = api.rss()
            warm = await drive(world, [api.port], seconds=args.warmup, concurrency=args.concurrency, seed=1)
            print(
                f"idle {idle:.1f} MiB; after warm-up ({len(warm.samples):,} requests) {api.rss():.1f} MiB", flush=True
            )
            points: list[tuple[float, float]] = []
            began = time.monotonic()

            async def sample(run: Run) -> None:
                while True:
                    elapsed = time.monotonic() - began
                    points.append((elapsed / 60, api.rss()))
                    window = [s for s in run.samples if began + elapsed - SAMPLE_EVERY <= s.at < began + elapsed]
                    answered = [s.seconds for s in window if s.status != -1]
                    print(
                        f"| {elapsed / 60:4.1f} min | {points[-1][1]:6.1f} MiB | "
                        f"{len(answered) / SAMPLE_EVERY if elapsed else 0:5.0f} req/s | "
                        f"p99 {percentile(answered, 99):6.1f} ms |",
                        flush=True,
                    )
                    if elapsed + SAMPLE_EVERY > args.minutes * 60 + 1:
                        return
                    await asyncio.sleep(SAMPLE_EVERY - (time.monotonic() - began) % SAMPLE_EVERY)

            print("| time | RSS | throughput (last 30 s) | p99 |\n|---:|---:|---:|---:|", flush=True)
            run = await drive(
                world, [api.port], seconds=args.minutes * 60 + 0.5, concurrency=args.concurrency, seed=2, script=sample
            )
        finally:
            api.stop()
        failed = [s for s in run.samples if s.status == -1 or s.status >= 500 or s.status in (400, 404, 422)]
        rate = slope(points)
        first = statistics.fmean(y for _, y in points[:3])
        last = statistics.fmean(y for _, y in points[-3:])
        print(
            f"\n{len(run.samples):,} requests in {args.minutes:g} min ({len(run.samples) / run.seconds:,.0f} req/s), "
            f"{len(failed)} failed; RSS {points[0][1]:.1f} -> {points[-1][1]:.1f} MiB, slope {rate:+.2f} MiB/min, "
            f"last three samples {last - first:+.1f} MiB over the first three; "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    finally:
        bench.close()
        if cluster is not None:
            cluster.destroy()
    problems = []
    if rate > args.max_slope:
        problems.append(f"memory grows {rate:.2f} MiB/min (limit {args.max_slope})")
    if last - first > args.max_growth and min(y for _, y in points[-3:]) > max(y for _, y in points[:3]):
        problems.append(f"memory grew {last - first:.1f} MiB (limit {args.max_growth})")
    if failed:
        problems.append(f"{len(failed)} requests failed")
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("no growth: PASSED")
    return 0


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main()))
    sys.exit(uvloop.run(main()))
