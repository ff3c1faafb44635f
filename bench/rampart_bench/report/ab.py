"""A/B entries: the table of one `bench/run --ab …` run, and keeping the
entries of docs/benchmarks.md across full runs (between markers)."""

from __future__ import annotations

import datetime as dt
import re
import statistics

from .common import AB_END, AB_START, PG_ORDER, ROBUST, SCENARIOS, normalise_keys, rng, shortened_options


def headline(scenario: str, r: dict) -> list[tuple[str, float, str]]:
    """The figures an A/B compares for one scenario: (metric, value, format)."""
    if scenario in SCENARIOS:
        return [("req/s", r["rps"], "{:,.0f}"), ("p99 ms", r["p99_us"] / 1000, "{:.1f}"),
                ("server CPU µs/request", r["server_cpu"] * 1e6 / max(r["rps"], 1e-9), "{:.0f}"),
                ("RSS steady MiB", r["rss_steady"], "{:.0f}"),
                ("others' CPU (noise, cores)", r.get("other_cpu", 0.0), "{:.2f}")]
    if scenario == "sparse":
        out = [(f"RSS max MiB, {p['pattern']}", p["rss_max"], "{:.0f}") for p in r["phases"]]
        return out + [("failed log-ins", sum(p["failed"] for p in r["phases"]), "{:.0f}")]
    if scenario in ("address_flood", "address_burst"):
        out = [("served/s", r["served_per_s"], "{:.1f}"), ("share of hash ceiling", r["share_of_ceiling"] * 100, "{:.0f}%"),
               ("shed 429", r["shed"], "{:,.0f}"), ("503 + timeouts + other", r["unavailable"] + r["timeout"] + r["error"], "{:.0f}"),
               ("RSS peak MiB", r["rss_max"], "{:.0f}"), ("threads peak", r["threads_max"], "{:.0f}"),
               ("server + PostgreSQL CPU ms per answer", (r["server_cpu"] + r["pg_cpu"]) * r.get("cpu_wall_s", r["wall_s"]) * 1000 / max(r["sent"], 1), "{:.2f}"),
               ("others' CPU (noise, cores)", r.get("other_cpu", 0.0), "{:.2f}")]
        if scenario == "address_flood":
            out.append(("`me` p99 ratio flood/idle", r["me_p99_ratio"], "{:.1f}×"))
        return out
    if scenario == "soak":
        return [("RSS max MiB", r["rss_max"], "{:.0f}"), ("RSS after 10 s idle MiB", r["rss_idle_after"], "{:.0f}"),
                ("errors", r["sent"] - r["ok"], "{:.0f}"), ("server CPU (cores)", r["server_cpu"], "{:.2f}")]
    return []


def render_ab(summary: dict, label: str) -> str:
    args = summary["args"]
    runs = normalise_keys(summary["runs"])
    robust = {tuple(k.split("/")): v for k, v in summary.get("robust", {}).items()}
    variants = summary["variants"]
    started = dt.datetime.fromisoformat(summary["started"])
    L = [f"<!-- ab:{label} -->", f"### {label}\n"]
    L.append(f"- **Command**: `{summary['command']}`")
    L.append(f"- **Date**: {started:%Y-%m-%d %H:%M} UTC, revision {summary['revision']}; {args['rounds']} round(s)"
             + (f", {args['duration']} s measured after {args['warmup']} s warm-up" if runs else ""))
    L.append(f"- **A**: {variants['A']['describe']}; **B**: {variants['B']['describe']}")
    shortened = [o for o in shortened_options(args) if not o.startswith("--only")]
    if shortened:
        L.append(f"- **Validation run** ({', '.join(shortened)}): shorter than the suite's defaults; it shows "
                 "the comparison works, not the lever's effect")
    if summary["ceilings"]["pgbench_tps"]:
        t = summary["ceilings"]["pgbench_tps"]
        L.append(f"- pgbench -S in the same rounds: {statistics.median(t):,.0f} TPS{rng(t)}")
    L.append("")
    L.append("| scenario | metric | A | B | B ÷ A |")
    L.append("|---|---|---|---|---|")
    keys = sorted({k[1:] for k in runs}, key=lambda k: (k[0] != "PostgreSQL", PG_ORDER.index(k[1]) if k[1] in PG_ORDER else 9))
    items = [(f"{SCENARIOS[s]}{' (SQLite)' if db == 'SQLite' else ''}", s, runs.get(("A", db, s), []), runs.get(("B", db, s), []))
             for db, s in keys]
    items += [(ROBUST[s], s, robust.get(("A", s), []), robust.get(("B", s), [])) for s in ROBUST if ("A", s) in robust]
    for title, scenario, a_rounds, b_rounds in items:
        a_heads = [headline(scenario, r) for r in a_rounds]
        b_heads = [headline(scenario, r) for r in b_rounds]
        if not a_heads or not b_heads:
            continue
        for i, (metric, _, fmt) in enumerate(a_heads[0]):
            a = [h[i][1] for h in a_heads]
            b = [h[i][1] for h in b_heads]
            ma, mb = statistics.median(a), statistics.median(b)
            ratio = f"{mb / ma:.2f}" if ma else "–"
            L.append(f"| {title} | {metric} | {fmt.format(ma)}{rng(a, fmt)} | {fmt.format(mb)}{rng(b, fmt)} | {ratio} |")
            title = ""
    ready = summary.get("startup_by_variant", {})
    if ready.get("A") and ready.get("B"):
        ma, mb = statistics.median(ready["A"]) * 1000, statistics.median(ready["B"]) * 1000
        L.append(f"| start-up | ready after start ms (median of 3) | {ma:.0f}{rng([x * 1000 for x in ready['A']])} | "
                 f"{mb:.0f}{rng([x * 1000 for x in ready['B']])} | {mb / ma:.2f} |")
    L.append(f"<!-- /ab:{label} -->")
    return "\n".join(L)


def carried_entries(existing: str) -> str:
    """The A/B entries of the current report, to be kept by a full run."""
    m = re.search(re.escape(AB_START) + r"(.*?)" + re.escape(AB_END), existing, re.S)
    if not m:
        return ""
    body = m.group(1).strip()
    return "" if body.startswith("_No A/B run") else body


def with_ab_entry(existing: str, label: str, entry: str) -> str:
    """`existing` (the report) with the entry for `label` replaced or added."""
    entries = carried_entries(existing)
    pattern = re.compile(r"<!-- ab:" + re.escape(label) + r" -->.*?<!-- /ab:" + re.escape(label) + r" -->", re.S)
    if pattern.search(entries):
        entries = pattern.sub(lambda _: entry, entries)
    else:
        entries = (entries + "\n\n" + entry).strip()
    block = f"{AB_START}\n{entries}\n{AB_END}"
    if AB_START in existing:
        return re.sub(re.escape(AB_START) + r".*?" + re.escape(AB_END), lambda _: block, existing, flags=re.S)
    return existing.rstrip() + "\n\n## A/B of the per-request levers\n\n" + block + "\n"
