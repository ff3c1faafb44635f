"""What the report's parts share: scenario names and orders, the
FastAPI template's argon2 cost, and small formatting helpers."""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parents[2]

SCENARIOS = {
    "login": "login",
    "me": "me (bearer token)",
    "items": "items list, 100/page + totalCount",
    "create": "create item",
    "mixed": "mixed (50% me, 30% items, 20% create)",
    "me_flood": "me during a login flood",
}
ROBUST = {
    "sparse": "sparse logins, then idle after a flood",
    "address_flood": "login flood from 333 addresses",
    "address_burst": "burst of 500 logins from 25 addresses",
    "soak": "soak of mixed traffic",
}
PG_ORDER = ["me", "items", "create", "mixed", "login", "me_flood"]
SQLITE_ORDER = ["me", "items"]
TEMPLATE_COST = {"ARGON2_MEMORY_KIB": "65536", "ARGON2_ITERATIONS": "3", "ARGON2_PARALLELISM": "4"}

AB_START, AB_END = "<!-- ab-entries -->", "<!-- /ab-entries -->"


def ms(us: float) -> str:
    return f"{us / 1000:.1f}" if us >= 1000 else f"{us / 1000:.2f}"


def pick_median_round(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["rps"])
    return ordered[(len(ordered) - 1) // 2]


def rng(values: list[float], fmt: str = "{:,.0f}") -> str:
    if len(values) < 2:
        return ""
    return f" [{fmt.format(min(values))}–{fmt.format(max(values))}]"


def every(points: list[list[float]], step: float) -> list[list[float]]:
    """One sample per `step` seconds (the first at or after each mark)."""
    out, next_t = [], 0.0
    for p in points:
        if p[0] >= next_t - 1e-6:
            out.append(p)
            next_t += step
    if points and out[-1] is not points[-1]:
        out.append(points[-1])
    return out


def ascii_plot(points: list[list[float]], width: int = 72, height: int = 10, ymax: float | None = None,
               lines: dict[str, float] | None = None) -> list[str]:
    """RSS against time as text: one column per time slice (its maximum),
    with horizontal marks for the bounds."""
    if not points:
        return []
    t_end = points[-1][0] or 1.0
    cols = [0.0] * width
    for t, rss, *_ in points:
        c = min(width - 1, int(t / t_end * (width - 1)))
        cols[c] = max(cols[c], rss)
    for c in range(1, width):  # a slice without a sample keeps its neighbour's value
        cols[c] = cols[c] or cols[c - 1]
    top = ymax or max(max(cols), *(lines or {}).values()) * 1.1
    rows = []
    for r in range(height, 0, -1):
        lo, hi = top * (r - 1) / height, top * r / height
        label = next((f"{name} {v:.0f}" for name, v in (lines or {}).items() if lo < v <= hi), "")
        row = "".join("█" if v >= hi else ("▄" if v > (lo + hi) / 2 else ("-" if label else " ")) for v in cols)
        rows.append(f"{hi:6.0f} |{row}| {label}")
    rows.append(f"{'MiB':>6} +{'-' * width}+")
    rows.append(f"{'':6}  0 s{'':{width - 12}}{t_end:7.0f} s")
    return rows


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def normalise_keys(runs: dict) -> dict:
    """'A/PostgreSQL/me' (older summaries: 'PostgreSQL/me') -> tuple."""
    out = {}
    for k, v in runs.items():
        parts = k.split("/")
        out[tuple(parts if len(parts) == 3 else ["A", *parts])] = v
    return out


def shortened_options(args: dict) -> list[str]:
    defaults = {"rounds": 3, "duration": 15, "warmup": 3, "sparse_seconds": 60, "soak_seconds": 300}
    out = [f"--{k.replace('_', '-')} {args[k]:g}" for k, v in defaults.items() if args.get(k, v) < v]
    if args.get("only"):
        out.append(f"--only {args['only']}")
    return out
