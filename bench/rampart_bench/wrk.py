"""The throughput scenarios: wrk at a fixed number of connections with the
scenarios of bench/lua/graphql.lua, plus the paced `me` probe that the
flood scenarios use as their latency witness."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from . import procfs, server

LUA = Path(__file__).resolve().parent.parent / "lua" / "graphql.lua"
SOCKET_ERRORS = ("socket_connect", "socket_read", "socket_write", "socket_timeout")


def command(port: int, scenario: str, seconds: float, users: dict, connections: int, threads: int,
            delay_ms: int | None = None) -> list[str]:
    server.fresh_tokens(port, users)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
           "-s", str(LUA), f"http://127.0.0.1:{port}", "--", scenario,
           users["reader"]["token"], users["writer"]["token"],
           users["reader"]["email"], users["reader"]["password"]]
    if delay_ms is not None:
        cmd.append(str(delay_ms))
    return cmd


def parse(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            data["rps"] = data["requests"] / max(data["duration_us"] / 1e6, 1e-9)
            data["errors_total"] = data["errors"] + sum(data[k] for k in SOCKET_ERRORS)
            return data
    raise RuntimeError(f"wrk printed no summary: {output}")


def run(port: int, scenario: str, seconds: float, users: dict, connections: int, threads: int,
        out: Path | None, delay_ms: int | None = None) -> dict:
    result = subprocess.run(command(port, scenario, seconds, users, connections, threads, delay_ms),
                            capture_output=True, text=True, timeout=seconds + 60)
    if out is not None:
        out.write_text(result.stdout + result.stderr)
    return parse(result.stdout + "\n" + result.stderr)


class Probe:
    """`me` at a gentle pace (4 connections, 10 ms between a connection's
    answer and its next request) in the background: the latency an ordinary
    signed-in user sees, measured by wrk rather than by the Python load
    generator that shares its process with the flood."""

    def __init__(self, port: int, users: dict, seconds: float, out: Path):
        self.out = out
        self.proc = subprocess.Popen(command(port, "me", seconds, users, 4, 1, delay_ms=10),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def result(self, timeout: float) -> dict:
        output, _ = self.proc.communicate(timeout=timeout)
        self.out.write_text(output)
        return parse(output)


def measure(api, scenario: str, args, users: dict, results: Path, tag: str, database: str | None) -> dict:
    """`database`: the PostgreSQL database the server uses (None: SQLite)."""
    """Warm-up, then one measured wrk run with RSS and CPU readings."""
    load = "me" if scenario == "me_flood" else scenario
    flood = None
    if scenario == "me_flood":
        # The flood starts first and outlasts the measured `me` run.
        flood_seconds = args.warmup + args.duration + 2
        flood = subprocess.Popen(command(api.port, "login", flood_seconds, users, args.connections, 1),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run(api.port, load, args.warmup, users, args.connections, 2, None)
    rss_start = procfs.rss_mib(api.pid)
    cpu = procfs.CpuWindow(api.pid, database)
    if flood is not None:
        cpu.watch(flood.pid)
    perf = None
    if args.perf:
        # Sampled CPU profile of the server for the measured run only.
        perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(api.pid),
                                 "-o", str(results / f"perf-{tag}.data")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with procfs.Sampler(api.pid) as rss:
        data = run(api.port, load, args.duration, users, args.connections, 2, results / f"wrk-{tag}.txt")
    if perf is not None:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=60)
    data.update(cpu.close())
    data["rss_start"], data["rss_peak"], data["rss_steady"] = rss_start, rss.peak, rss.steady()
    data["threads_peak"] = max((s[2] for s in rss.samples), default=0)
    if flood is not None:
        output, _ = flood.communicate(timeout=args.warmup + args.duration + 60)
        (results / f"wrk-{tag}-flood.txt").write_text(output)
        try:
            flood_data = parse(output)
        except RuntimeError:
            flood_data = {"rps": 0.0, "errors_total": 1}
        data["flood_rps"] = flood_data["rps"]
        # The flood's 429s are log-ins shed by the hash line, its designed
        # answer to more log-ins than it can hash in time: counted, not errors.
        shed = flood_data.get("shed", 0)
        data["flood_shed"] = shed
        data["flood_served_rps"] = (flood_data.get("requests", 0) - flood_data.get("non_200", 0)) / max(
            flood_data.get("duration_us", 1) / 1e6, 1e-9)
        data["flood_errors"] = flood_data["errors_total"] - shed
        data["errors_total"] += data["flood_errors"]
    return data
