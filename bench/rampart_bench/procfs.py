"""Readings from /proc: CPU time, RSS and thread count of the API, the whole
PostgreSQL server's CPU, and a sampler that records RSS and threads over
time while a scenario runs."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """utime+stime (and reaped children's, if asked) of one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def rss_mib(pid: int) -> float:
    try:
        statm = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0.0
    return int(statm[1]) * PAGE / 2**20


def threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def postgres_pids() -> tuple[int | None, list[int]]:
    """The postmaster and its children (backends, walwriter, ...)."""
    procs = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.find("(") + 1 : stat.rfind(")")]
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        procs[int(entry.name)] = (comm, ppid)
    # The postmaster is a `postgres` whose parent is not one. A stat read
    # that fails mid-scan (a process ending) must not make its children look
    # like masters: of the candidates, the one with the most children wins.
    masters = [p for p, (c, pp) in procs.items() if c == "postgres" and procs.get(pp, ("",))[0] != "postgres"]
    if not masters:
        return None, []
    children = {m: [p for p, (_, pp) in procs.items() if pp == m] for m in masters}
    master = max(masters, key=lambda m: (len(children[m]), -m))
    return master, children[master]


# Server-wide processes: their work (WAL, checkpoints) is partly ours.
PG_BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
                 "logical replication launcher", "archiver", "stats collector")


def postgres_roles() -> dict[int, str]:
    """Each PostgreSQL child's role, its title after `postgres: <cluster>: `
    (`user database host(port) state` for a backend, `walwriter`, ...)."""
    _, children = postgres_pids()
    out = {}
    for pid in children:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[pid] = title.split(": ", 2)[-1].strip()
    return out


def postgres_cpu_by_process(database: str) -> dict[int, float]:
    """CPU seconds of each live PostgreSQL process that works for `database`
    (its backends and autovacuum workers, whose titles name it) or for the
    whole server (the background processes). The server is shared with
    other sessions' tests, whose backends must not count as ours."""
    roles = postgres_roles()
    ours = [pid for pid, role in roles.items() if database in role.split()]
    if not ours:
        # The server's connections live through every window: finding none
        # means the scan missed them, and their work would silently show
        # up under "others".
        print(f"[bench] warning: no PostgreSQL backend of {database} found", file=sys.stderr, flush=True)
    background = [pid for pid, role in roles.items() if role.startswith(PG_BACKGROUND)]
    return {pid: cpu_seconds(pid) for pid in ours + background}


def postgres_cpu_seconds_since(database: str, before: dict[int, float]) -> float:
    """CPU the processes of `database` used since `before` was taken (a
    process that exited in between is lost; the API's pooled connections
    live for the whole scenario)."""
    now = postgres_cpu_by_process(database)
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (steal included: on a shared VM
    that is time another tenant took), summed over the cores."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def reaped_children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuWindow:
    """Cores used over a window by the server, PostgreSQL for its database,
    the load generators (this process and its children: wrk, reaped by the
    end, or live ones given to `watch`) and everything else on the machine.
    The last is the noise: other sessions on the shared machine, their
    PostgreSQL backends included."""

    def __init__(self, server_pid: int, database: str | None):
        self.server_pid, self.database = server_pid, database
        self.t0 = time.perf_counter()
        self.server0 = cpu_seconds(server_pid)
        self.pg0 = postgres_cpu_by_process(database) if database else {}
        self.own0, self.children0 = time.process_time(), reaped_children_seconds()
        self.machine0 = machine_busy_seconds()
        self.live0: dict[int, float] = {}

    def watch(self, pid: int) -> None:
        """A load generator still running when the window closes."""
        self.live0[pid] = cpu_seconds(pid)

    def close(self) -> dict:
        wall = time.perf_counter() - self.t0
        server = cpu_seconds(self.server_pid) - self.server0
        pg = postgres_cpu_seconds_since(self.database, self.pg0) if self.database else 0.0
        clients = (time.process_time() - self.own0) + (reaped_children_seconds() - self.children0)
        clients += sum(cpu_seconds(pid) - c0 for pid, c0 in self.live0.items())
        machine = machine_busy_seconds() - self.machine0
        return {"cpu_wall_s": wall, "server_cpu": server / wall, "pg_cpu": pg / wall if self.database else None,
                "loadgen_cpu": clients / wall, "other_cpu": max(0.0, machine - server - pg - clients) / wall}


class Sampler:
    """Records (seconds since start, RSS MiB, threads) of one process every
    `interval` seconds until stopped; `mark()` labels the current moment
    (a phase change) so the report can split the series."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float, int]] = []
        self.marks: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = 0.0

    def _run(self) -> None:
        next_at = self._t0
        while not self._stop.is_set():
            self.samples.append((round(time.perf_counter() - self._t0, 3), rss_mib(self.pid), threads(self.pid)))
            # A fixed grid, so that a slow moment does not thin the series.
            next_at += self.interval
            self._stop.wait(max(0.0, next_at - time.perf_counter()))

    def now(self) -> float:
        return time.perf_counter() - self._t0

    def mark(self, label: str) -> None:
        self.marks.append((round(self.now(), 3), label))

    def __enter__(self):
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max((s[1] for s in self.samples), default=0.0)

    def between(self, start: float, end: float) -> list[tuple[float, float, int]]:
        return [s for s in self.samples if start <= s[0] <= end]

    def steady(self) -> float:
        """The median RSS of the second half of the samples."""
        rss = [s[1] for s in self.samples]
        return statistics.median(rss[len(rss) // 2 :] or [0.0])
