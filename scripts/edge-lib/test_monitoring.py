"""The alert rules and the Grafana dashboard: valid for promtool, written
against the metrics the API exposes, each alert proven to fire by a promtool
unit test, the dashboard importable; and each check shown to catch a flaw."""

from __future__ import annotations

import copy
import subprocess

import pytest
import yaml

import monitoring_check as M

ALERTS = M.MONITORING / "alerts.yml"
ALERT_TESTS = M.MONITORING / "alerts.test.yml"


@pytest.fixture(scope="module")
def metrics() -> dict:
    return M.catalogue()


@pytest.fixture(scope="module")
def rules() -> list[dict]:
    return M.alert_rules()


@pytest.fixture(scope="module")
def dash() -> dict:
    return M.dashboard()


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([M.PROMTOOL, *args], capture_output=True, text=True, cwd=M.MONITORING)


# ---------------------------------------------------------------------------
# Alert rules
# ---------------------------------------------------------------------------

def test_promtool_accepts_the_rules():
    proc = promtool("check", "rules", ALERTS.name)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_alerts_fire_and_stay_quiet_as_their_unit_tests_say():
    proc = promtool("test", "rules", ALERT_TESTS.name)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_every_alert_is_shown_firing_by_a_test(rules):
    tests = yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))
    assert M.untested_alerts(rules, tests) == []


def test_rules_use_only_catalogued_metrics_types_and_labels(rules, metrics):
    assert M.alert_violations(rules, metrics) == []


def test_the_issue_s_alerts_exist(rules):
    """Error rate, p99, login failure spikes, pool exhaustion, readiness."""
    exprs = {r["alert"]: r["expr"] for r in rules}
    wanted = {
        "error rate": ("RampartHttpErrors", 'status=~"5.."'),
        "p99": ("RampartSlowRequests", "histogram_quantile(0.99"),
        "login failure spike": ("RampartLoginFailureSpike", "rampart_logins_total"),
        "pool exhaustion": ("RampartDatabasePoolExhausted", "rampart_db_acquire_timeouts_total"),
        "readiness": ("RampartNoReadyReplica", "rampart_ready"),
    }
    for what, (alert, needle) in wanted.items():
        assert needle in exprs.get(alert, ""), f"{what}: {alert}"


def test_a_broken_rule_unit_test_fails(tmp_path):
    """promtool test rules fails when an alert does not do what its test
    says: a threshold raised past the test's traffic makes it stay quiet."""
    original = ALERTS.read_text(encoding="utf-8")
    broken = original.replace(") > 0.05\n", ") > 0.5\n")
    assert broken != original
    (tmp_path / "alerts.yml").write_text(broken, encoding="utf-8")
    (tmp_path / "alerts.test.yml").write_text(ALERT_TESTS.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run([M.PROMTOOL, "test", "rules", "alerts.test.yml"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0 and "RampartHttpErrors" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


RULE_FLAWS = {
    "unknown metric": ("RampartHttpErrors", lambda r: r.__setitem__("expr", r["expr"].replace("rampart_http_requests_total", "rampart_http_request_total")), "not a metric"),
    "unknown label": ("RampartGraphqlInternalErrors", lambda r: r.__setitem__("expr", r["expr"].replace('outcome="INTERNAL"', 'code="INTERNAL"')), "no label 'code'"),
    "counter without rate": ("RampartLoginFailureSpike", lambda r: r.__setitem__("expr", 'sum(rampart_logins_total{outcome="failed"}) > 1'), "inside rate()"),
    "rate of a gauge": ("RampartReplicaNotReady", lambda r: r.__setitem__("expr", "rate(rampart_ready[5m]) > 0"), "gauge"),
    "histogram without bucket": ("RampartSlowRequests", lambda r: r.__setitem__("expr", "rampart_graphql_request_duration_seconds > 1"), "histogram"),
    "grouping by a missing label": ("RampartEmailsFailing", lambda r: r.__setitem__("expr", r["expr"].replace("by (kind)", "by (recipient)")), "recipient"),
    "no for": ("RampartReplicaNotReady", lambda r: r.pop("for"), "for:"),
    "no severity": ("RampartNoReadyReplica", lambda r: r.__setitem__("labels", {}), "severity"),
    "no description": ("RampartLoginsShed", lambda r: r["annotations"].pop("description"), "description"),
}


@pytest.mark.parametrize("case", sorted(RULE_FLAWS))
def test_a_flawed_rule_is_caught(rules, metrics, case):
    alert, mutate, needle = RULE_FLAWS[case]
    flawed = copy.deepcopy(rules)
    mutate(next(r for r in flawed if r.get("alert") == alert))
    violations = M.alert_violations(flawed, metrics)
    assert any(needle in v for v in violations), f"{case}: {violations}"


def test_promtool_rejects_invalid_promql():
    errors = M.promtool_errors({"bad": "sum(rate(rampart_logins_total[5m]) by (outcome", "good": "up"})
    assert errors and any("bad" in e for e in errors), errors


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------

def test_dashboard_is_importable_and_uses_catalogued_metrics(dash, metrics):
    assert M.dashboard_violations(dash, metrics) == []


def test_dashboard_queries_are_valid_promql(dash):
    exprs = {k: M.grafana_to_promql(v) for k, v in M.dashboard_exprs(dash).items()}
    assert len(exprs) >= 15
    assert M.promtool_errors(exprs) == []


def test_dashboard_shows_every_metric(dash, metrics):
    assert M.unused_metrics(dash, metrics) == []


DASHBOARD_FLAWS = {
    "duplicate id": (lambda d: d["panels"][1].__setitem__("id", d["panels"][0]["id"]), "not unique"),
    "overlap": (lambda d: d["panels"][1]["gridPos"].__setitem__("x", 0), "overlaps"),
    "too wide": (lambda d: d["panels"][0]["gridPos"].__setitem__("w", 30), "24-column"),
    "hard-coded data source": (lambda d: d["panels"][2].__setitem__("datasource", {"type": "prometheus", "uid": "abc123"}), "${datasource}"),
    "no datasource variable": (lambda d: d["templating"].__setitem__("list", d["templating"]["list"][1:]), "datasource"),
    "query ignores the replica filter": (lambda d: d["panels"][3]["targets"][0].__setitem__("expr", "sum(rampart_ready)"), "$instance"),
    "unknown variable": (lambda d: d["panels"][3]["targets"][0].__setitem__("expr", 'sum(rampart_ready{instance=~"$instance",zone="$zone"})'), "unknown variable"),
    "unknown metric": (lambda d: d["panels"][4]["targets"][0].__setitem__("expr", 'sum(rampart_readiness{instance=~"$instance"})'), "not a metric"),
    "no schemaVersion": (lambda d: d.pop("schemaVersion"), "schemaVersion"),
    "repeated refId": (lambda d: [t.__setitem__("refId", "A") for p in d["panels"] for t in p["targets"]], "refIds"),
    "unknown panel type": (lambda d: d["panels"][0].__setitem__("type", "graph3d"), "type"),
}


@pytest.mark.parametrize("case", sorted(DASHBOARD_FLAWS))
def test_a_flawed_dashboard_is_caught(dash, metrics, case):
    mutate, needle = DASHBOARD_FLAWS[case]
    flawed = copy.deepcopy(dash)
    mutate(flawed)
    violations = M.dashboard_violations(flawed, metrics)
    assert any(needle in v for v in violations), f"{case}: {violations}"


# ---------------------------------------------------------------------------
# The comparison with a real scrape, ready for the API's /metrics
# ---------------------------------------------------------------------------

def test_exposition_comparison_finds_missing_mistyped_and_mislabelled_metrics(metrics):
    lines = []
    for name, spec in metrics.items():
        lines.append(f"# TYPE {name} {spec['type']}")
        labels = ",".join(f'{l}="x"' for l in spec.get("labels") or [])
        series = f"{name}_bucket" if spec["type"] == "histogram" else name
        extra = ('le="1"' + ("," if labels else "")) if spec["type"] == "histogram" else ""
        lines.append(f"{series}{{{extra}{labels}}} 1" if labels or extra else f"{series} 1")
    good = "\n".join(lines) + "\n"
    assert M.exposition_differences(good, metrics) == []
    missing = good.replace("# TYPE rampart_ready gauge", "")
    assert any("rampart_ready" in d for d in M.exposition_differences(missing, metrics))
    mistyped = good.replace("# TYPE rampart_logins_total counter", "# TYPE rampart_logins_total gauge")
    assert any("rampart_logins_total" in d for d in M.exposition_differences(mistyped, metrics))
    relabelled = good.replace('rampart_emails_total{kind="x",outcome="x"}', 'rampart_emails_total{kind="x",result="x"}')
    assert any("rampart_emails_total" in d for d in M.exposition_differences(relabelled, metrics))
