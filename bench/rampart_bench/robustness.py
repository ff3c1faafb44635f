"""The robustness scenarios of issue 11: memory under sparse logins and
after a flood, a login flood from many addresses, a burst with all
defaults, and a soak of mixed traffic. Each starts a fresh server (its
memory history is the point), samples RSS and threads over time and
returns a plain dict that the report renders and summary.json keeps.

`ctx` is run.py's Bench: args, results, users per variant, fresh_api(),
hash_time() and bounds()."""

from __future__ import annotations

import random
import statistics
import threading
import time

from . import procfs, wrk
from .clients import Answer, Conn, body, percentile, run_threads, sleep_until, summarize
from .server import RAISED_THROTTLES, fresh_tokens

SPARSE_INTERVALS = (0.3, 0.7, 2.0, 10.0)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def series(sampler: procfs.Sampler, start: float, end: float) -> list[list[float]]:
    """[t, RSS, threads] samples of one phase, relative to its start."""
    return [[round(t - start, 2), round(rss, 1), n] for t, rss, n in sampler.between(start, end)]


def phase_summary(points: list[list[float]]) -> dict:
    rss = [p[1] for p in points] or [0.0]
    return {
        "rss_start": rss[0], "rss_end": rss[-1], "rss_max": max(rss),
        "rss_median_second_half": statistics.median(rss[len(rss) // 2 :]),
        "threads_max": max((p[2] for p in points), default=0),
        "threads_end": points[-1][2] if points else 0,
        "series": points,
    }


# --------------------------------------------------------------------------
# Sparse logins, then idle after a flood


def sparse_pattern_seconds(interval: float, base: float) -> float:
    """Long enough to show a trend: at least `base` seconds or 30 logins,
    whichever is longer, but at most twice `base` (10 s apart: 12 logins
    in 120 s with the default 60)."""
    return min(max(base, 30 * interval), 2 * base)


def sparse(ctx, variant, tag: str) -> dict:
    args = ctx.args
    users = ctx.users[variant.name]
    api = ctx.fresh_api(variant, f"{tag}", RAISED_THROTTLES)
    conn = Conn(api.port)
    payload, _ = body("login", users)
    phases = []
    flood_seconds = min(10.0, args.sparse_seconds)
    idle_seconds = max(10.0, args.sparse_seconds / 2)
    try:
        with procfs.Sampler(api.pid, 0.25) as sampler:
            time.sleep(2)  # the idle server's own baseline
            for interval in SPARSE_INTERVALS:
                seconds = sparse_pattern_seconds(interval, args.sparse_seconds)
                log(f"  sparse: one login every {interval:g} s for {seconds:.0f} s")
                start = sampler.now()
                answers: list[Answer] = []
                next_at = time.perf_counter()
                deadline = next_at + seconds
                while next_at < deadline:
                    sleep_until(next_at)
                    answers.append(conn.post("login", payload, None, 0.0))
                    next_at += interval
                # The pattern's last gap belongs to it: memory freed (or
                # not) after its last login shows up before the next.
                sleep_until(next_at)
                end = sampler.now()
                phases.append({"pattern": f"every {interval:g} s", "interval": interval, "seconds": seconds,
                               **summarize(answers), **phase_summary(series(sampler, start, end))})
            log(f"  sparse: login flood (wrk, {args.connections} connections, {flood_seconds:.0f} s), "
                f"then {idle_seconds:.0f} s idle")
            start = sampler.now()
            flood = wrk.run(api.port, "login", flood_seconds, users, args.connections, 1,
                            ctx.results / f"wrk-{tag}-flood.txt")
            flood_end = sampler.now()
            phases.append({"pattern": f"flood ({args.connections} connections)", "seconds": flood_seconds,
                           "sent": flood["requests"], "ok": flood["requests"] - flood["errors_total"],
                           "errors_total": flood["errors_total"], "ok_p50_ms": flood["p50_us"] / 1000,
                           "ok_max_ms": flood["max_us"] / 1000, "flood": True,
                           **phase_summary(series(sampler, start, flood_end))})
            time.sleep(idle_seconds)
            end = sampler.now()
            phases.append({"pattern": "idle after the flood", "seconds": idle_seconds, "sent": 0, "ok": 0,
                           **phase_summary(series(sampler, flood_end, end))})
    finally:
        conn.close()
        api.stop()
    steady, peak, *_ = ctx.bounds(variant)
    for p in phases:
        # Sparse patterns and the idle that follows are "steady": the whole
        # series must stay under the steady bound; a flood only under the peak.
        p["bound"] = peak if p.get("flood") else steady
        p["failed"] = p.get("errors_total", p["sent"] - p["ok"])
        p["met"] = p["rss_max"] <= p["bound"] and p["failed"] == 0
    return {"phases": phases, "bound_steady": steady, "bound_peak": peak}


# --------------------------------------------------------------------------
# Floods from many addresses


def paced_logins(port: int, users: dict, clients: int, logins: int, seconds: float,
                 address) -> tuple[list[Answer], float]:
    """`clients` connections, each with its own address (`address(i)` gives
    (source, forwarded_for)), each sending `logins` logins evenly over
    `seconds`, starts staggered; returns every answer and the wall time
    from the first request to the last answer."""
    payload, _ = body("login", users)
    interval = seconds / logins
    answers: list[list[Answer]] = [[] for _ in range(clients)]
    t0 = time.perf_counter() + 0.5  # time to start the threads

    def client(i: int):
        source, forwarded = address(i)
        conn = Conn(port, source=source, forwarded_for=forwarded)
        phase = interval * i / clients
        for k in range(logins):
            sleep_until(t0 + phase + k * interval)
            answers[i].append(conn.post("login", payload, None, t0))
        conn.close()

    run_threads([lambda i=i: client(i) for i in range(clients)])
    flat = [a for per in answers for a in per]
    last = max((a.sent + a.seconds for a in flat), default=0.0)
    return flat, last


def burst_logins(port: int, users: dict, connections: int, addresses: int) -> tuple[list[Answer], float]:
    """`connections` connected in advance from `addresses` source addresses
    (127.0.0.2 and up), then one login each, all released at once."""
    payload, _ = body("login", users)
    conns = [Conn(port, source=f"127.0.0.{2 + i % addresses}") for i in range(connections)]
    for c in conns:
        c.connect()
    gate = threading.Barrier(connections + 1)
    answers: list[Answer | None] = [None] * connections
    t0_box = [0.0]

    def client(i: int):
        gate.wait()
        answers[i] = conns[i].post("login", payload, None, t0_box[0])
        conns[i].close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    t0_box[0] = time.perf_counter()
    gate.wait()
    for t in threads:
        t.join()
    flat = [a for a in answers if a is not None]
    return flat, max((a.sent + a.seconds for a in flat), default=0.0)


def flood_report(ctx, variant, api, sampler, answers, wall: float, start: float, end: float,
                 hash_info: dict, cpu: dict) -> dict:
    summary = summarize(answers)
    ceiling = ctx.cores / (hash_info["cpu_ms"] / 1000)
    served_per_s = summary["ok"] / wall if wall else 0.0
    steady, peak, *_ = ctx.bounds(variant)
    return {
        **summary, "wall_s": wall, "served_per_s": served_per_s, "ceiling": ceiling,
        "hash_cpu_ms": hash_info["cpu_ms"], "share_of_ceiling": served_per_s / ceiling,
        "bound_steady": steady, "bound_peak": peak, **cpu,
        **phase_summary(series(sampler, start, end)),
    }


def address_flood(ctx, variant, tag: str, clients: int = 333, logins: int = 20, seconds: float = 8.0) -> dict:
    """Issue 11 item 2: 333 clients, each its own address (X-Forwarded-For
    from 198.18.0.0/15, the benchmarking range, with TRUST_FORWARDED_FOR),
    20 logins each over 8 s: below the default per-address limit of 30 a
    minute, about 11 times what two cores can hash."""
    users = ctx.users[variant.name]
    hash_info = ctx.hash_time(variant)
    api = ctx.fresh_api(variant, tag, {"TRUST_FORWARDED_FOR": "true"})
    try:
        time.sleep(1)
        log(f"  {tag}: `me` probe with the server idle ({seconds:g} s)")
        idle = wrk.Probe(api.port, users, seconds, ctx.results / f"wrk-{tag}-probe-idle.txt").result(seconds + 60)
        log(f"  {tag}: {clients} clients x {logins} logins over {seconds:g} s, `me` probe alongside")
        with procfs.Sampler(api.pid, 0.25) as sampler:
            time.sleep(1)
            start = sampler.now()
            window = procfs.CpuWindow(api.pid, ctx.dbs[variant.name])
            probe = wrk.Probe(api.port, users, seconds, ctx.results / f"wrk-{tag}-probe-flood.txt")
            window.watch(probe.proc.pid)
            answers, wall = paced_logins(
                api.port, users, clients, logins, seconds,
                lambda i: (None, f"198.18.{i // 250}.{1 + i % 250}"))
            cpu = window.close()
            during = probe.result(60)
            end = sampler.now()
            time.sleep(10)  # what the flood leaves behind
            after = sampler.now()
        result = flood_report(ctx, variant, api, sampler, answers, wall, start, end, hash_info, cpu)
        result.update({
            "clients": clients, "addresses": clients, "logins_per_address": logins, "seconds": seconds,
            "me_idle_p99_ms": idle["p99_us"] / 1000, "me_flood_p99_ms": during["p99_us"] / 1000,
            "me_idle_rps": idle["rps"], "me_flood_rps": during["rps"],
            "me_errors": idle["errors_total"] + during["errors_total"],
            "after": phase_summary(series(sampler, end, after)),
        })
        result["me_p99_ratio"] = result["me_flood_p99_ms"] / max(result["me_idle_p99_ms"], 1e-3)
        return result
    finally:
        api.stop()


def address_burst(ctx, variant, tag: str, connections: int = 500, addresses: int = 25) -> dict:
    """The issue's second case: one burst of 500 logins from 25 addresses,
    every setting at its default (real source addresses on loopback, so no
    X-Forwarded-For and no raised throttle: 20 per address is below 30)."""
    users = ctx.users[variant.name]
    hash_info = ctx.hash_time(variant)
    api = ctx.fresh_api(variant, tag, {})
    try:
        log(f"  {tag}: {connections} logins at once from {addresses} source addresses")
        with procfs.Sampler(api.pid, 0.1) as sampler:
            time.sleep(1)
            start = sampler.now()
            window = procfs.CpuWindow(api.pid, ctx.dbs[variant.name])
            answers, wall = burst_logins(api.port, users, connections, addresses)
            cpu = window.close()
            end = sampler.now()
            time.sleep(10)
            after = sampler.now()
        result = flood_report(ctx, variant, api, sampler, answers, wall, start, end, hash_info, cpu)
        result.update({"clients": connections, "addresses": addresses, "logins_per_address": connections // addresses,
                       "after": phase_summary(series(sampler, end, after))})
        return result
    finally:
        api.stop()


# --------------------------------------------------------------------------
# Soak


SOAK_MIX = (("me", 50), ("items", 30), ("create", 19), ("login", 1))


def soak(ctx, variant, tag: str) -> dict:
    """Mixed traffic at a set rate (default 250 req/s) with about one login
    in a hundred requests, at random moments, so the gaps between hashes
    range from milliseconds to seconds: the pattern that grew the server to
    4.5 GiB (issue 11). RSS every second, 10 s idle after."""
    args = ctx.args
    users = ctx.users[variant.name]
    api = ctx.fresh_api(variant, tag, RAISED_THROTTLES)
    fresh_tokens(api.port, users)
    workers = 32  # headroom: a worker whose answer is late sends its next at once
    period = workers / args.soak_rate
    kinds = [k for k, w in SOAK_MIX for _ in range(w)]
    payloads = {k: body(k, users) for k, _ in SOAK_MIX}
    answers: list[list[Answer]] = [[] for _ in range(workers)]
    log(f"  {tag}: {args.soak_rate} req/s for {args.soak_seconds} s, then 10 s idle")
    try:
        with procfs.Sampler(api.pid, 1.0) as sampler:
            time.sleep(3)
            start = sampler.now()
            t0 = time.perf_counter()
            window = procfs.CpuWindow(api.pid, ctx.dbs[variant.name])
            deadline = t0 + args.soak_seconds

            def worker(w: int):
                rng = random.Random(w)
                conn = Conn(api.port)
                k = 0
                while True:
                    at = t0 + (w + k * workers) * period / workers
                    if at >= deadline:
                        break
                    sleep_until(at)
                    kind = rng.choice(kinds)
                    payload, token = payloads[kind]
                    answers[w].append(conn.post(kind, payload, token, t0))
                    k += 1
                conn.close()

            run_threads([lambda w=w: worker(w) for w in range(workers)])
            wall = time.perf_counter() - t0
            cpu = window.close()
            end = sampler.now()
            time.sleep(10)
            after = sampler.now()
    finally:
        api.stop()
    flat = [a for per in answers for a in per]
    per_kind = {}
    for kind, _ in SOAK_MIX:
        ms = [a.seconds * 1000 for a in flat if a.kind == kind]
        per_kind[kind] = {"count": len(ms), "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99)}
    before_points = series(sampler, 0, start)
    load_points = series(sampler, start, end)
    idle_points = series(sampler, end, after)
    steady, peak, *_ = ctx.bounds(variant)
    done_per_second = [0] * (int(args.soak_seconds) + 2)
    for a in flat:
        second = int(a.sent + a.seconds)
        if 0 <= second < len(done_per_second):
            done_per_second[second] += 1
    load = phase_summary(load_points)
    return {
        **summarize(flat), "seconds": args.soak_seconds, "rate_asked": args.soak_rate, "wall_s": wall,
        "rate": len(flat) / wall, "per_kind": per_kind, **cpu,
        "rss_before": before_points[-1][1] if before_points else 0.0,
        "rss_after": load["rss_end"], "rss_max": load["rss_max"],
        "rss_idle_after": idle_points[-1][1] if idle_points else 0.0,
        "threads_max": load["threads_max"], "series": load_points, "idle": idle_points,
        "done_per_second": done_per_second, "bound_steady": steady, "bound_peak": peak,
    }
