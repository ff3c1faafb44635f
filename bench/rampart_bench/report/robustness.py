"""The robustness sections of docs/benchmarks.md: memory under login
patterns, the floods from many addresses, the soak (RSS over time as
numbers, a table and a text plot)."""

from __future__ import annotations

from .common import ascii_plot, every, mark


def render_sparse(L, robust, summary) -> None:
    rounds = robust[("A", "sparse")]
    s = rounds[-1]
    base = summary["args"].get("sparse_seconds", 60)
    step = max(1, round(base / 6))
    L.append("## Memory under login patterns\n")
    L.append(f"One client on one keep-alive connection logs in with the right password at a fixed interval "
             f"(at least {base:g} s or 30 log-ins per pattern, at most {2 * base:g} s), the patterns one after "
             f"the other on one fresh server; then a login flood (wrk, {summary['args']['connections']} "
             "connections) and the idle that follows. RSS and threads are sampled every 0.25 s. The bound for the "
             f"patterns and the idle is the steady one, {s['bound_steady']:.0f} MiB (64 MiB + the argon2 memory "
             f"of `PASSWORD_HASH_CONCURRENCY` hashes), for every sample, not a median; for the flood the peak "
             f"bound, {s['bound_peak']:.0f} MiB.\n")
    L.append(f"| pattern | log-ins ok / sent | log-in p50 / max ms | RSS start / max / end MiB | threads max | RSS every {step} s (MiB) | bound MiB | |")
    L.append("|---|---|---|---|---|---|---|---|")
    for p in s["phases"]:
        trail = " ".join(f"{x[1]:.0f}" for x in every(p["series"], step))
        lat = f"{p.get('ok_p50_ms', 0):.0f} / {p.get('ok_max_ms', 0):.0f}" if p.get("sent") else "–"
        L.append(f"| {p['pattern']} ({p['seconds']:.0f} s) | {p.get('ok', 0):,} / {p.get('sent', 0):,} | {lat} | "
                 f"{p['rss_start']:.0f} / {p['rss_max']:.0f} / {p['rss_end']:.0f} | {p['threads_max']} | "
                 f"{trail} | ≤ {p['bound']:.0f} | {mark(p['met'])} |")
    if len(rounds) > 1:
        L.append(f"\n(Last of {len(rounds)} rounds shown.)")
    L.append("")


def render_floods(L, robust, summary) -> None:
    L.append("## Login floods from many addresses\n")
    L.append("Paced Python clients (threads, `http.client`), each answer kept with its status and GraphQL code. "
             "**333 addresses**: 333 connections, each claiming its own address in `X-Forwarded-For` "
             "(198.18.0.0/15, the benchmarking range; `TRUST_FORWARDED_FOR=true`, throttles at their defaults), "
             "each sending 20 log-ins evenly over 8 s: below the per-address limit of 30 a minute, about eleven "
             "times what the cores can hash. **500 at once**: every setting at its default; 500 connections "
             "opened in advance from 25 real source addresses (127.0.0.2–26, 20 each), then one log-in each, "
             "released together. Served/s is the 200s over the time from the first request to the last answer; "
             "the ceiling is cores ÷ the hash time measured right before. `me` p99: wrk at 4 connections, "
             "10 ms between a connection's answer and its next request, for 8 s with the server idle and for "
             "the 8 s of the flood.\n")
    L.append("| case | sent | served | served/s (of ceiling) | shed 429 (p50 / p99 ms) | 503 | timeouts | other | served p50 / p99 ms | RSS start / peak / 10 s after MiB | threads start / peak | CPU server / PostgreSQL / clients / others |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, label in (("address_flood", "333 addresses × 20 over 8 s"), ("address_burst", "500 at once, 25 addresses, defaults")):
        if ("A", name) not in robust:
            continue
        f = robust[("A", name)][-1]
        threads_start = f["series"][0][2] if f["series"] else 0
        L.append(f"| {label} | {f['sent']:,} | {f['ok']:,} | {f['served_per_s']:,.1f} ({f['share_of_ceiling']:.0%} of "
                 f"{f['ceiling']:,.0f}) | {f['shed']:,} ({f['shed_p50_ms']:.0f} / {f['shed_p99_ms']:.0f}) | "
                 f"{f['unavailable']} | {f['timeout']} | {f['error']} | {f['ok_p50_ms']:.0f} / {f['ok_p99_ms']:.0f} | "
                 f"{f['rss_start']:.0f} / {f['rss_max']:.0f} / {f['after']['rss_end']:.0f} | "
                 f"{threads_start} / {f['threads_max']} | {f['server_cpu']:.2f} / {f['pg_cpu']:.2f} / {f['loadgen_cpu']:.2f} / {f.get('other_cpu', 0):.2f} |")
    L.append("")
    for name in ("address_flood", "address_burst"):
        if ("A", name) not in robust:
            continue
        f = robust[("A", name)][-1]
        notes = []
        if f["shed_without_retry_after"]:
            notes.append(f"{f['shed_without_retry_after']} of the 429s had no `Retry-After`")
        if f["other_sample"]:
            notes.append("answers other than 200 and 429, e.g. " + "; ".join(f["other_sample"]))
        spent = (f["server_cpu"] + f["pg_cpu"]) * f.get("cpu_wall_s", f["wall_s"])
        hashing = f["ok"] * f["hash_cpu_ms"] / 1000
        notes.insert(0, f"server + PostgreSQL CPU {spent:.1f} s for {f['sent']:,} answers, of which the "
                        f"{f['ok']:,} served hashes are {hashing:.1f} s: "
                        f"{max(0.0, spent - hashing) * 1000 / max(f['sent'], 1):.2f} ms per answer beside the hashing")
        if name == "address_flood":
            notes.insert(0, f"`me` p99 {f['me_idle_p99_ms']:.2f} ms idle, {f['me_flood_p99_ms']:.2f} ms during the flood "
                            f"({f['me_p99_ratio']:.1f}×; {f['me_idle_rps']:,.0f} and {f['me_flood_rps']:,.0f} req/s, "
                            f"{f['me_errors']} errors)")
        if notes:
            L.append(f"- {'333 addresses' if name == 'address_flood' else '500 at once'}: " + "; ".join(notes) + ".")
    L.append("")
    L.append("RSS and threads over time, from the first request to the last answer, then the 10 s after:\n")
    L.append("```")
    for name, label in (("address_flood", "333 addresses"), ("address_burst", "500 at once")):
        if ("A", name) not in robust:
            continue
        f = robust[("A", name)][-1]
        pts = every(f["series"], max(0.5, round(f["wall_s"] / 16 * 2) / 2))
        after = every(f["after"]["series"], 2.0)
        L.append(f"{label}")
        L.append("  s       " + " ".join(f"{p[0]:>4.1f}" for p in pts) + "  | after: " + " ".join(f"{p[0] + pts[-1][0]:>4.0f}" for p in after))
        L.append("  RSS     " + " ".join(f"{p[1]:>4.0f}" for p in pts) + "  |        " + " ".join(f"{p[1]:>4.0f}" for p in after))
        L.append("  threads " + " ".join(f"{p[2]:>4d}" for p in pts) + "  |        " + " ".join(f"{p[2]:>4d}" for p in after))
    L.append("```\n")


def render_soak(L, robust, summary) -> None:
    s = robust[("A", "soak")][-1]
    L.append("## Soak\n")
    L.append(f"{s['seconds']:.0f} s of mixed traffic at {s['rate_asked']:.0f} req/s asked (32 paced clients on "
             "keep-alive connections: 50% `me`, 30% the items list, 19% create item, 1% log-in at random "
             "moments, so the gaps between hashes range from milliseconds to seconds), a fresh server, RSS every "
             "second, then 10 s idle.\n")
    L.append("| requests | rate | errors | RSS before / max / end / 10 s idle MiB | threads max | bound MiB | CPU server / PostgreSQL / clients / others | p50 / p99 ms: me, items, create, login |")
    L.append("|---|---|---|---|---|---|---|---|")
    errors = s["sent"] - s["ok"]
    lat = ", ".join(f"{s['per_kind'][k]['p50_ms']:.1f} / {s['per_kind'][k]['p99_ms']:.1f}" for k in ("me", "items", "create", "login"))
    L.append(f"| {s['sent']:,} ({s['per_kind']['login']['count']} log-ins) | {s['rate']:.0f} req/s | {errors} | "
             f"{s['rss_before']:.0f} / {s['rss_max']:.0f} / {s['rss_after']:.0f} / {s['rss_idle_after']:.0f} | "
             f"{s['threads_max']} | ≤ {s['bound_steady']:.0f} | {s['server_cpu']:.2f} / {s['pg_cpu']:.2f} / "
             f"{s.get('loadgen_cpu', 0):.2f} / {s.get('other_cpu', 0):.2f} | {lat} |")
    L.append("")
    step = 30 if s["seconds"] >= 120 else max(1, round(s["seconds"] / 10))
    L.append(f"RSS over time (every {step} s; the rate is the answers in the {step} s before):\n")
    L.append("| s | req/s | RSS MiB | threads |")
    L.append("|---|---|---|---|")
    done = s["done_per_second"]
    for p in every(s["series"], step):
        t = int(p[0])
        window = done[max(0, t - step):t]
        L.append(f"| {t} | {sum(window) / max(len(window), 1):.0f} | {p[1]:.0f} | {p[2]} |")
    for p in s["idle"][-1:]:
        L.append(f"| {p[0] + s['series'][-1][0]:.0f} (10 s idle) | 0 | {p[1]:.0f} | {p[2]} |")
    L.append("")
    L.append("```")
    L.extend(ascii_plot(s["series"] + [[p[0] + s["series"][-1][0], p[1], p[2]] for p in s["idle"]],
                        lines={"steady bound": s["bound_steady"]}))
    L.append("```\n")
