"""Checks for the Prometheus alert rules and the Grafana dashboard
(deploy/monitoring): PromQL parsed by the real promtool, metric names, types
and labels checked against the API's metric catalogue (metrics.yml), and the
dashboard's structure checked against what Grafana needs to import it.

There is no Grafana here, so the dashboard check is ours: the fields Grafana's
import requires, unique panel ids, a grid without overlaps, every query on
the dashboard's Prometheus variable, every expression valid PromQL.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "deploy/monitoring"
PROMTOOL = "/usr/bin/promtool"
# Labels Prometheus adds when it scrapes (not the API's own).
SCRAPE_LABELS = {"instance", "job", "namespace", "pod", "container", "service"}
# What Grafana substitutes before a query runs; promtool gets plain values.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$instance": ".*"}
PANEL_TYPES = {"timeseries", "stat", "gauge", "bargauge", "table", "text", "row", "heatmap"}

_METRIC = re.compile(r"\b(rampart_[a-z0-9_]+)\b(\{[^}]*\})?")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
_MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")


def catalogue() -> dict:
    return yaml.safe_load((MONITORING / "metrics.yml").read_text(encoding="utf-8"))


def _family(name: str, metrics: dict) -> tuple[str | None, str]:
    """(catalogued family, suffix) for a series name."""
    if name in metrics:
        return name, ""
    for suffix in ("_bucket", "_count", "_sum"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base and metrics.get(base, {}).get("type") == "histogram":
            return base, suffix
    return None, ""


def expression_violations(expr: str, metrics: dict, where: str) -> list[str]:
    """Names, types and labels an expression uses, against the catalogue."""
    out = []
    used_labels: set[str] = set()
    for match in _METRIC.finditer(expr):
        name, matchers = match.group(1), match.group(2) or ""
        family, suffix = _family(name, metrics)
        if family is None:
            out.append(f"{where}: {name} is not a metric the API exposes (metrics.yml)")
            continue
        kind = metrics[family]["type"]
        labels = set(metrics[family].get("labels") or [])
        used_labels |= labels | ({"le"} if suffix == "_bucket" else set())
        if kind == "histogram" and not suffix:
            out.append(f"{where}: histogram {name} used without _bucket/_count/_sum")
        in_rate = re.search(r"\b(rate|increase|irate)\(\s*$", expr[: match.start()]) is not None
        if (kind == "counter" or suffix) and not in_rate:
            out.append(f"{where}: {name} is a counter; use it inside rate() or increase()")
        if kind == "gauge" and in_rate:
            out.append(f"{where}: {name} is a gauge; rate() of a gauge means nothing")
        for label in _MATCHER.findall(matchers):
            if label not in labels | SCRAPE_LABELS:
                out.append(f"{where}: {name} has no label {label!r} (it has {sorted(labels)})")
    for group in _GROUPING.findall(expr):
        for label in (l.strip() for l in group.split(",") if l.strip()):
            if label not in used_labels | SCRAPE_LABELS:
                out.append(f"{where}: groups by {label!r}, which none of its metrics carries")
    return out


def promtool_errors(exprs: dict[str, str]) -> list[str]:
    """Parses each expression with promtool (as recording rules)."""
    if not exprs:
        return []
    rules = {"groups": [{"name": "check", "rules": [{"record": f"check:expr_{i}", "expr": e}
                                                     for i, e in enumerate(exprs.values())]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        yaml.safe_dump(rules, handle)
        path = handle.name
    try:
        proc = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True, text=True)
    finally:
        Path(path).unlink()
    if proc.returncode == 0:
        return []
    names = list(exprs)
    out = []
    for line in (proc.stdout + proc.stderr).splitlines():
        found = re.search(r"check:expr_(\d+)", line)
        label = names[int(found.group(1))] if found else ""
        if "error" in line.lower() or "parse" in line.lower():
            out.append(f"{label}: {line.strip()}" if label else line.strip())
    return out or [(proc.stdout + proc.stderr).strip()]


# ---------------------------------------------------------------------------
# Alert rules
# ---------------------------------------------------------------------------

def alert_rules() -> list[dict]:
    doc = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def alert_violations(rules: list[dict], metrics: dict) -> list[str]:
    out = []
    names = [r.get("alert") for r in rules]
    if len(set(names)) != len(names):
        out.append(f"duplicate alert names: {names}")
    for rule in rules:
        where = f"alert {rule.get('alert')}"
        if "record" in rule:
            continue
        if not rule.get("alert") or not rule.get("expr"):
            out.append(f"{where}: needs alert and expr")
            continue
        if not re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))):
            out.append(f"{where}: no `for:` (a single scrape would page)")
        if (rule.get("labels") or {}).get("severity") not in ("warning", "critical"):
            out.append(f"{where}: severity is not warning or critical")
        for key in ("summary", "description"):
            if not (rule.get("annotations") or {}).get(key):
                out.append(f"{where}: no {key} annotation")
        out += expression_violations(rule["expr"], metrics, where)
    return out


def untested_alerts(rules: list[dict], tests: dict) -> list[str]:
    """Alerts that no unit test shows firing."""
    fired = {case["alertname"] for test in tests.get("tests") or [] for case in test.get("alert_rule_test") or []
             if case.get("exp_alerts")}
    return sorted(r["alert"] for r in rules if "alert" in r and r["alert"] not in fired)


# ---------------------------------------------------------------------------
# Grafana dashboard
# ---------------------------------------------------------------------------

def dashboard() -> dict:
    return json.loads((MONITORING / "grafana/rampart-api.json").read_text(encoding="utf-8"))


def grafana_to_promql(expr: str) -> str:
    for var, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(var, value)
    return expr


def dashboard_exprs(dash: dict) -> dict[str, str]:
    return {f"panel {p.get('id')} {p.get('title')!r} {t.get('refId')}": t.get("expr", "")
            for p in dash.get("panels") or [] for t in p.get("targets") or []}


def dashboard_violations(dash: dict, metrics: dict) -> list[str]:
    out = []
    for key, kind in (("uid", str), ("title", str), ("schemaVersion", int), ("panels", list), ("templating", dict)):
        if not isinstance(dash.get(key), kind):
            out.append(f"dashboard: {key} missing or not a {kind.__name__}")
    if out:
        return out
    variables = {v.get("name"): v for v in dash["templating"].get("list") or []}
    source = variables.get("datasource") or {}
    if source.get("type") != "datasource" or source.get("query") != "prometheus":
        out.append("dashboard: no `datasource` variable of type prometheus (queries must not name one data source)")
    ids, cells = set(), {}
    for panel in dash["panels"]:
        where = f"panel {panel.get('id')} {panel.get('title')!r}"
        if panel.get("id") in ids or not isinstance(panel.get("id"), int):
            out.append(f"{where}: id missing or not unique")
        ids.add(panel.get("id"))
        if panel.get("type") not in PANEL_TYPES:
            out.append(f"{where}: type {panel.get('type')!r}")
        if not panel.get("title"):
            out.append(f"{where}: no title")
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")) or grid.get("w", 0) < 1 or grid.get("h", 0) < 1:
            out.append(f"{where}: gridPos {grid}")
            continue
        if grid["x"] + grid["w"] > 24:
            out.append(f"{where}: wider than the 24-column grid")
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                if (x, y) in cells:
                    out.append(f"{where}: overlaps panel {cells[(x, y)]}")
                    break
                cells[(x, y)] = panel.get("id")
            else:
                continue
            break
        if panel.get("type") == "row":
            continue
        if (panel.get("datasource") or {}).get("uid") != "${datasource}":
            out.append(f"{where}: datasource is not ${{datasource}}")
        targets = panel.get("targets") or []
        if not targets:
            out.append(f"{where}: no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            out.append(f"{where}: refIds {refs} missing or repeated")
        for target in targets:
            expr = target.get("expr", "")
            if not expr:
                out.append(f"{where}: a target without expr")
                continue
            if "$instance" not in expr:
                out.append(f"{where} {target.get('refId')}: ignores the replica selector ($instance)")
            plain = grafana_to_promql(expr)
            if "$" in plain:
                out.append(f"{where} {target.get('refId')}: unknown variable in {expr!r}")
            out += expression_violations(plain, metrics, f"{where} {target.get('refId')}")
    return out


def unused_metrics(dash: dict, metrics: dict) -> list[str]:
    text = " ".join(dashboard_exprs(dash).values())
    return sorted(name for name in metrics if not re.search(rf"\b{name}(_bucket|_count|_sum)?\b", text))


# ---------------------------------------------------------------------------
# Against a real scrape (once the API serves /metrics)
# ---------------------------------------------------------------------------

def exposition_differences(text: str, metrics: dict) -> list[str]:
    """Compares a /metrics scrape (Prometheus text format) with the catalogue:
    every catalogued family is exposed with its type and labels."""
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    labels: dict[str, set[str]] = {}
    for name, body in re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}", text, re.M):
        labels.setdefault(name, set()).update(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', body))
    out = []
    for name, spec in metrics.items():
        if types.get(name) != spec["type"]:
            out.append(f"{name}: exposed as {types.get(name)!r}, catalogued as {spec['type']}")
            continue
        series = {n for n in labels if n == name or n.startswith(name + "_")}
        seen = set().union(*(labels[n] for n in series)) - {"le"} if series else set()
        if seen and seen != set(spec.get("labels") or []):
            out.append(f"{name}: labels {sorted(seen)}, catalogued {sorted(spec.get('labels') or [])}")
    return out
