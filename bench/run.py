#!/usr/bin/env python3
"""Rampart API benchmark: drives the release build on PostgreSQL (and the
read scenarios on SQLite) with wrk and paced clients on loopback, measures
the machine's own ceilings in the same run, and writes docs/benchmarks.md.
With --ab or --api-bin-b it runs the same scenarios against two builds or
settings, interleaved, and records that A/B in docs/benchmarks.md instead.

Started by bench/run, which installs the tools and builds the binaries
first. Standard library only. Every load is bounded in time and aimed at
127.0.0.1; the databases it creates are dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rampart_bench import report, robustness, server, wrk
from rampart_bench.server import Api, Client, Variant, psql

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache" / "rampart-target"))
API_BIN = TARGET_DIR / "release" / "api"
HASHTIME_BIN = TARGET_DIR / "release" / "rampart-hashtime"
ROBUST_ORDER = ["sparse", "address_flood", "address_burst", "soak"]
ALL_SCENARIOS = report.PG_ORDER + ROBUST_ORDER


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def machine_description() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.0f} GiB RAM, Linux {platform.release()}"


def versions() -> str:
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    pg = psql("show server_version").split()[0]
    return f"PostgreSQL {pg}, {first_line(['wrk', '-v']).split(' [')[0]}, {first_line(['rustc', '--version'])}"


def git_revision() -> str:
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "api", "entity", "migration"],
                           capture_output=True, text=True).stdout.strip()
    return rev + (" (with uncommitted API changes)" if dirty else "")


def settings(pairs: list[str], option: str) -> dict:
    out = {}
    for kv in pairs:
        if "=" not in kv:
            sys.exit(f"bench/run: {option} takes NAME=VALUE, got {kv!r}")
        name, value = kv.split("=", 1)
        out[name] = value
    return out


class Bench:
    """The run's shared state: what the scenarios need to start servers,
    time hashes and know their memory bounds."""

    def __init__(self, args, results: Path, variants: list[Variant]):
        self.args, self.results, self.variants = args, results, variants
        self.extra_env = settings(args.env, "--env")
        self.cores = os.cpu_count() or 1
        self.dbs = {v.name: f"rampart_bench_{os.getpid()}_{v.name.lower()}" for v in variants}
        self.db_urls = {v.name: server.postgres_url(self.dbs[v.name]) for v in variants}
        self.secrets = server.run_secrets()
        self.users: dict[str, dict] = {}
        self.serving: dict[str, Api] = {}  # the long-running server per variant
        self.started_apis: list[Api] = []
        self.fresh_count = 0

    def env(self, variant: Variant, database_url: str, port: int, scenario_env: dict) -> dict:
        # Later wins: the scenario's needs, then --env, then the variant's own.
        return {**server.api_env(self.args.environment, database_url, port, self.secrets), **scenario_env,
                **self.extra_env, **variant.env}

    def api(self, variant: Variant, label: str, port: int, scenario_env: dict, database_url: str | None = None) -> Api:
        api = Api(label if label.startswith(f"{variant.name}-") else f"{variant.name}-{label}", variant.binary,
                  self.env(variant, database_url or self.db_urls[variant.name], port, scenario_env), port, self.results)
        self.started_apis.append(api)
        return api

    def fresh_api(self, variant: Variant, label: str, scenario_env: dict) -> Api:
        """A new server process for one robustness scenario: its memory
        history starts with the scenario. The long-running ones are stopped
        so nothing else holds the cores or the database."""
        self.stop_serving()
        self.fresh_count += 1
        api = self.api(variant, label, self.args.port + 10 + self.fresh_count % 50, scenario_env)
        api.start()
        return api

    def serving_api(self, variant: Variant) -> Api:
        api = self.serving[variant.name]
        if api.proc is None:
            api.start()
        return api

    def stop_serving(self) -> None:
        for api in self.serving.values():
            api.stop()

    def merged(self, variant: Variant) -> dict:
        return {**self.extra_env, **variant.env}

    def hash_time(self, variant: Variant, extra: dict | None = None, mode: str = "reused") -> dict:
        """bench/hashtime with the variant's ARGON2_* settings (or `extra`),
        one hash per core running at once, as under a login flood."""
        env = {**os.environ, **{k: v for k, v in self.merged(variant).items() if k.startswith("ARGON2_")}, **(extra or {}),
               "HASH_THREADS": str(self.cores)}
        out = subprocess.run([str(self.results / HASHTIME_BIN.name), "10", mode], check=True, capture_output=True, text=True, env=env).stdout
        result = json.loads(out)
        log(f"  argon2id hash (m={result['memory_kib']}, t={result['iterations']}, p={result['parallelism']}, "
            f"{result['threads']} at once): {result['cpu_ms']:.1f} ms CPU" + (f", {result['fresh_cpu_ms']:.1f} ms allocating per hash"
                                                 if "fresh_cpu_ms" in result else ""))
        return result

    def bounds(self, variant: Variant) -> tuple[float, float, float, int]:
        """(steady, peak) RSS bounds of issue 11 for this configuration, with
        the argon2 MiB per hash and the number of hashes at once."""
        env = self.merged(variant)
        concurrency = int(env.get("PASSWORD_HASH_CONCURRENCY", self.cores))
        hash_mib = int(env.get("ARGON2_MEMORY_KIB", 19_456)) / 1024
        return 64 + concurrency * hash_mib, 160.0, hash_mib, concurrency


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per throughput scenario")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per throughput scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=18473)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--only", help=f"comma-separated scenarios (default: all): {', '.join(ALL_SCENARIOS)}")
    parser.add_argument("--sparse-seconds", type=float, default=60,
                        help="sparse: seconds per login pattern (at least this or 30 logins, at most twice this)")
    parser.add_argument("--soak-seconds", type=float, default=300)
    parser.add_argument("--soak-rate", type=float, default=250, help="soak: requests per second asked")
    parser.add_argument("--environment", default="production", choices=("production", "staging", "local"),
                        help="the API's ENVIRONMENT (default production, what is deployed)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra API environment for every server, e.g. --env DATABASE_MAX_CONNECTIONS=16")
    parser.add_argument("--ab", action="append", default=[], metavar="NAME=VALUE",
                        help="A/B: B is A with this setting (repeatable); the run records an A/B entry")
    parser.add_argument("--api-bin-b", metavar="PATH", help="A/B: B runs this API binary")
    parser.add_argument("--ab-label", help="A/B: the entry's title in docs/benchmarks.md (default: what B changes)")
    parser.add_argument("--perf", action="store_true",
                        help="record a perf profile of the server per throughput scenario (bench/results/*/perf-*.data)")
    parser.add_argument("--render", metavar="RESULTS_DIR",
                        help="only rewrite the report from RESULTS_DIR/summary.json (e.g. after editing bench/analysis.md)")
    args = parser.parse_args()
    # As typed, for the report: bench/run passes its arguments through.
    args.command = shlex.join(["bench/run", *sys.argv[1:]])
    if args.only:
        unknown = set(args.only.split(",")) - set(ALL_SCENARIOS)
        if unknown:
            parser.error(f"unknown scenario(s) {', '.join(sorted(unknown))}; known: {', '.join(ALL_SCENARIOS)}")
    if args.api_bin_b and not Path(args.api_bin_b).is_file():
        parser.error(f"--api-bin-b: no file {args.api_bin_b}")
    return args


def write_report(args, summary: dict) -> None:
    output = Path(args.output)
    existing = output.read_text() if output.exists() else ""
    if "B" in summary["variants"]:
        label = summary["ab_label"]
        text = report.with_ab_entry(existing or "# Benchmarks\n", label, report.render_ab(summary, label))
        output.write_text(text)
        log(f"wrote the A/B entry {label!r} into {output}")
        print()
        print(report.render_ab(summary, label))
        return
    text = report.render(summary, report.carried_entries(existing))
    output.write_text(text)
    log(f"wrote {output}")
    print()
    print("## Targets\n\n" + text.split("## Targets")[1].split("\n\n")[1])


def main() -> int:
    args = parse_args()
    if args.render:
        summary = json.loads((Path(args.render) / "summary.json").read_text())
        write_report(args, summary)
        return 0

    started = dt.datetime.now(dt.timezone.utc)
    results = BENCH / "results" / started.strftime("%Y%m%dT%H%M%SZ")
    results.mkdir(parents=True, exist_ok=True)
    log(f"raw output in {results.relative_to(ROOT)}")
    # The target directory is shared: another worktree's build may replace
    # release/api while this run is under way. Run a copy of what bench/run built.
    own_build = results / "api"
    shutil.copy2(API_BIN, own_build)
    shutil.copy2(HASHTIME_BIN, results / HASHTIME_BIN.name)
    variants = [Variant("A", own_build)]
    ab_env = settings(args.ab, "--ab")
    if ab_env or args.api_bin_b:
        variants.append(Variant("B", Path(args.api_bin_b).resolve() if args.api_bin_b else own_build, ab_env))
    ab = len(variants) == 2
    chosen = args.only.split(",") if args.only else (report.PG_ORDER if ab else ALL_SCENARIOS)
    wrk_order = [s for s in report.PG_ORDER if s in chosen]
    robust_order = [s for s in ROBUST_ORDER if s in chosen]
    run_sqlite = not args.skip_sqlite and not ab and not args.only

    bench = Bench(args, results, variants)
    pgbench_db = f"rampart_pgbench_{os.getpid()}"
    sqlite_dir = Path(tempfile.mkdtemp(prefix="rampart-bench-"))
    runs: dict[str, list[dict]] = {}
    robust: dict[str, list[dict]] = {}
    ceilings = {"pgbench_tps": [], "hash_cpu_ms": [], "costs": []}
    startup: dict[str, list[float]] = {}
    try:
        for db in [*bench.dbs.values(), pgbench_db]:
            psql(f'CREATE DATABASE "{db}"')
        log("pgbench -i (scale 1)")
        server.pgbench_init(pgbench_db)

        if not ab:
            # Once per run: the default cost and the FastAPI template's, each
            # with memory reused (the server's way) and allocated per hash.
            a = variants[0]
            ceilings["costs"].append({"label": "configured cost", **bench.hash_time(a, mode="both")})
            ceilings["costs"].append({"label": "FastAPI template's cost",
                                      **bench.hash_time(a, report.TEMPLATE_COST, mode="both")})

        def time_login_ceiling() -> None:
            ceilings["hash"] = bench.hash_time(variants[0])
            ceilings["hash_cpu_ms"].append(ceilings["hash"]["cpu_ms"])

        for i, variant in enumerate(variants):
            api = bench.api(variant, "postgres", args.port + 2 * i, server.RAISED_THROTTLES)
            bench.serving[variant.name] = api
            log(f"{variant.name}: PostgreSQL, `api prestart` (migrations), then 3 timed starts")
            api.run_once("prestart")
            startup[variant.name] = []
            for n in range(3):
                startup[variant.name].append(api.start())
                if n < 2:
                    api.stop()
            log(f"  start-up to /readyz: {', '.join(f'{s * 1000:.0f} ms' for s in startup[variant.name])}")
            log(f"  seeding: reader with 1,000 items, writer")
            client = Client(api.port)
            bench.users[variant.name] = {"reader": server.seed_user(client, "reader", 1000),
                                         "writer": server.seed_user(client, "writer", 0)}
            # No VACUUM ANALYZE here on purpose: statistics taken while the
            # reader owns every row once made the planner walk the wrong index.

        sqlite_api, sqlite_users = None, None
        if run_sqlite:
            sqlite_api = bench.api(variants[0], "sqlite", args.port + 1,
                                   {**server.RAISED_THROTTLES, "ALLOW_SQLITE_IN_PRODUCTION": "true"},
                                   database_url=f"sqlite://{sqlite_dir}/bench.db?mode=rwc")
            sqlite_api.run_once("prestart")
            sqlite_api.start()
            log("seeding SQLite")
            sclient = Client(sqlite_api.port)
            sqlite_users = {"reader": server.seed_user(sclient, "reader", 1000),
                            "writer": server.seed_user(sclient, "writer", 0)}
            # Only one server is under load at a time; the idle one is stopped
            # so that its memory and threads do not take from the other.
            sqlite_api.stop()

        for rnd in range(1, args.rounds + 1):
            # Interleaved A/B: A first in odd rounds, B first in even ones, so
            # a drift of the shared machine's speed does not favour either.
            order = variants if rnd % 2 else list(reversed(variants))
            if wrk_order:
                log(f"round {rnd}/{args.rounds}: pgbench -S -c 32 -j 2 -T {args.duration}")
                ceilings["pgbench_tps"].append(
                    server.pgbench_select_tps(pgbench_db, args.duration, results / f"pgbench-r{rnd}.txt"))
                log(f"  {ceilings['pgbench_tps'][-1]:,.0f} TPS")
                if "login" not in wrk_order:
                    time_login_ceiling()
            for scenario in wrk_order:
                if scenario == "login":
                    # Right before the scenario it is the ceiling of: the hash
                    # time alone drifted 20 to 27 ms within a minute here.
                    time_login_ceiling()
                for variant in order:
                    api = bench.serving_api(variant)
                    tag = f"{variant.name}-pg-{scenario}-r{rnd}"
                    data = wrk.measure(api, scenario, args, bench.users[variant.name], results, tag, bench.dbs[variant.name])
                    runs.setdefault(f"{variant.name}/PostgreSQL/{scenario}", []).append(data)
                    log(f"  {variant.name} PostgreSQL {scenario}: {data['rps']:,.0f} req/s, p99 {report.ms(data['p99_us'])} ms, "
                        f"errors {data['errors_total']}, RSS peak {data['rss_peak']:.0f} MiB"
                        + (f", e.g. {data['sample']}" if data["errors_total"] else ""))
            if sqlite_api is not None:
                bench.stop_serving()
                sqlite_api.start()
                for scenario in report.SQLITE_ORDER:
                    data = wrk.measure(sqlite_api, scenario, args, sqlite_users, results, f"A-sqlite-{scenario}-r{rnd}", None)
                    runs.setdefault(f"A/SQLite/{scenario}", []).append(data)
                    log(f"  SQLite {scenario}: {data['rps']:,.0f} req/s, p99 {report.ms(data['p99_us'])} ms, "
                        f"errors {data['errors_total']}")
                sqlite_api.stop()
            # The robustness scenarios take minutes and are judged against
            # bounds, not compared round to round: once per full run (after
            # the last round), every round in an A/B run.
            if robust_order and (ab or rnd == args.rounds):
                for scenario in robust_order:
                    for variant in order:
                        log(f"{variant.name} {scenario} (round {rnd})")
                        data = getattr(robustness, scenario)(bench, variant, f"{variant.name}-{scenario}-r{rnd}")
                        robust.setdefault(f"{variant.name}/{scenario}", []).append(data)
        bench.stop_serving()

        summary = {
            "args": vars(args), "started": started.isoformat(), "command": args.command,
            "revision": git_revision(), "machine": machine_description(), "versions": versions(),
            "cores": bench.cores, "ceilings": ceilings, "startup": startup.get("A", []),
            "bounds": dict(zip(("steady", "peak", "hash_mib", "concurrency"), bench.bounds(variants[0]))),
            "startup_by_variant": startup,
            "variants": {v.name: {"binary": str(v.binary), "env": v.env, "describe": v.describe(ROOT, own_build)} for v in variants},
            "ab_label": args.ab_label or (" ".join(f"{k}={v}" for k, v in ab_env.items())
                                          + (f" binary {variants[1].describe(ROOT, own_build)}" if args.api_bin_b else "")).strip(),
            "runs": runs, "robust": robust,
        }
        (results / "summary.json").write_text(json.dumps(summary, indent=1))
        write_report(args, summary)
        return 0
    finally:
        for api in bench.started_apis:
            api.stop()
        for db in [*bench.dbs.values(), pgbench_db]:
            try:
                psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except subprocess.CalledProcessError as e:
                log(f"could not drop {db}: {e.stderr}")
        shutil.rmtree(sqlite_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
