"""The Kubernetes manifests, rendered by kustomize as an operator applies
them, keep the restricted profile, probes, limits, rollout and network rules;
each rule is shown to fire on a copy with one flaw planted. The Traefik
middlewares and the API's settings are compared with the compose edge that
the live stack test runs, so the two deployments cannot drift apart."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

import edge_policy as E
import kube_policy as K
import kube_render

COMPOSE = E.REPO / "compose.yml"
DYNAMIC = E.REPO / "nginx/traefik/dynamic/rampart.yml"


@pytest.fixture(scope="module")
def app() -> list[dict]:
    return kube_render.render(kube_render.BUILDS["production"])


@pytest.fixture(scope="module")
def prestart() -> list[dict]:
    return kube_render.render(kube_render.BUILDS["production-prestart"])


def find(docs: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in docs if d.get("kind") == kind and K.name_of(d) == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} objects"
    return matches[0]


def container(docs: list[dict], kind: str, name: str) -> dict:
    return find(docs, kind, name)["spec"]["template"]["spec"]["containers"][0]


# ---------------------------------------------------------------------------
# The committed manifests
# ---------------------------------------------------------------------------

def test_manifests_comply(app, prestart):
    assert K.all_violations(app, prestart) == []


def test_every_part_the_issue_lists_is_rendered(app, prestart):
    kinds = {(d["kind"], K.name_of(d)) for d in app}
    for want in [("Namespace", "rampart"), ("Deployment", "rampart-api"), ("Deployment", "rampart-web"),
                 ("Service", "rampart-api"), ("Service", "rampart-web"), ("Ingress", "rampart-api"),
                 ("Ingress", "rampart-web"), ("PodDisruptionBudget", "rampart-api"),
                 ("HorizontalPodAutoscaler", "rampart-api"), ("NetworkPolicy", "default-deny-all"),
                 ("NetworkPolicy", "rampart-api"), ("NetworkPolicy", "rampart-web"),
                 ("ServiceAccount", "rampart-api"), ("ServiceAccount", "rampart-web")]:
        assert want in kinds, want
    assert ("Job", "rampart-prestart") in {(d["kind"], K.name_of(d)) for d in prestart}
    assert find(prestart, "Namespace", "rampart") == find(app, "Namespace", "rampart")


def test_traefik_middlewares_are_the_compose_edge(app):
    """Field for field the middlewares the live stack test runs with the real
    Traefik (there is no schema for Traefik's CRDs to validate against)."""
    dynamic = E.render_dynamic(DYNAMIC.read_text(encoding="utf-8"), {"RAMPART_DOMAIN": "rampart.example.org"})
    compose_side = dynamic["http"]["middlewares"]
    kube_side = {K.name_of(m): m["spec"] for m in K.by_kind(app, "Middleware")}
    assert kube_side == compose_side
    for router in ("api", "web"):
        chain = find(app, "Ingress", f"rampart-{router}")["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"]
        assert chain.split(",") == [f"rampart-{m}@kubernetescrd" for m in dynamic["http"]["routers"][router]["middlewares"]]
    tls = find(app, "TLSOption", "tls12")["spec"]["minVersion"]
    assert tls == dynamic["tls"]["options"]["default"]["minVersion"]


def test_api_routes_are_the_compose_routes(app):
    paths = {(p["path"], p["pathType"]) for r in find(app, "Ingress", "rampart-api")["spec"]["rules"]
             for p in r["http"]["paths"]}
    assert paths == {("/graphql", "Exact"), ("/graphql/", "Prefix"), ("/healthz", "Exact"), ("/readyz", "Exact")}
    rule = E.render_dynamic(DYNAMIC.read_text(encoding="utf-8"), {"RAMPART_DOMAIN": "x"})["http"]["routers"]["api"]["rule"]
    assert set(re.findall(r"Path(?:Prefix)?\(`([^`]+)`\)", rule)) == {p for p, _ in paths}


def test_api_settings_cover_every_compose_variable(app):
    """Every variable compose gives the API is set in Kubernetes too, in the
    ConfigMap or (the secrets) from the Secret; none is forgotten."""
    compose_env = set(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["x-api-server"]["environment"])
    config = set(K.by_kind(app, "ConfigMap")[0]["data"])
    secrets = {e["name"] for e in container(app, "Deployment", "rampart-api")["env"]}
    assert compose_env - config - secrets == set()
    assert secrets == {"DATABASE_URL", "JWT_SECRET", "MFA_ENCRYPTION_KEY", "MFA_ENCRYPTION_KEYS_PREVIOUS",
                       "FIRST_SUPERUSER_PASSWORD", "SMTP_PASSWORD"}


def test_pod_users_are_the_images_users(app):
    api_user = re.search(r"^USER (\d+):(\d+)$", (E.REPO / "api/Dockerfile").read_text(encoding="utf-8"), re.M)
    api = find(app, "Deployment", "rampart-api")["spec"]["template"]["spec"]["securityContext"]
    assert (api["runAsUser"], api["runAsGroup"]) == (int(api_user.group(1)), int(api_user.group(2)))
    # nginx-unprivileged runs under any UID: Kubernetes gives it one above the
    # nodes' system users (the image's 101 is one of them on many hosts).
    web = find(app, "Deployment", "rampart-web")["spec"]["template"]["spec"]["securityContext"]
    assert web["runAsUser"] >= 10000 and web["runAsGroup"] >= 10000
    mounts = {m["mountPath"] for m in container(app, "Deployment", "rampart-web")["volumeMounts"]}
    compose_tmpfs = {t.split(":")[0] for t in yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["web"]["tmpfs"]}
    assert mounts == compose_tmpfs, "the SPA's writable paths differ from compose's tmpfs"


def test_render_is_what_kustomize_builds():
    """The rendered text is kustomize's (name hashes, digests, namespaces
    applied), not a YAML concatenation of the files."""
    text = kube_render.render_text(kube_render.BUILDS["production"])
    assert re.search(r"name: rampart-api-config-[a-z0-9]{10}\n", text)
    assert "ghcr.io/rampart-dev/rampart-api@sha256:" in text
    assert "kind: Kustomization" not in text and "kind: Component" not in text


# ---------------------------------------------------------------------------
# Planted flaws: every rule fires
# ---------------------------------------------------------------------------

def _api(docs):
    return container(docs, "Deployment", "rampart-api")


def _api_pod(docs):
    return find(docs, "Deployment", "rampart-api")["spec"]["template"]["spec"]


def _web(docs):
    return container(docs, "Deployment", "rampart-web")


def _job(docs):
    return container(docs, "Job", "rampart-prestart")


def _policy(docs, name):
    return find(docs, "NetworkPolicy", name)["spec"]


APP_FLAWS = {
    # --- the restricted profile ------------------------------------------------
    "runAsNonRoot false": (lambda d: _api(d)["securityContext"].__setitem__("runAsNonRoot", False), "runAsNonRoot"),
    "root user": (lambda d: _web(d)["securityContext"].__setitem__("runAsUser", 0), "runAsUser"),
    "no user at all": (lambda d: [_api(d)["securityContext"].pop("runAsUser"), _api_pod(d)["securityContext"].pop("runAsUser")], "runAsUser"),
    "privileged": (lambda d: _api(d)["securityContext"].__setitem__("privileged", True), "privileged"),
    "privilege escalation": (lambda d: _web(d)["securityContext"].__setitem__("allowPrivilegeEscalation", True), "allowPrivilegeEscalation"),
    "escalation unset": (lambda d: _api(d)["securityContext"].pop("allowPrivilegeEscalation"), "allowPrivilegeEscalation"),
    "capabilities kept": (lambda d: _web(d)["securityContext"].pop("capabilities"), "dropped"),
    "capability added": (lambda d: _api(d)["securityContext"]["capabilities"].__setitem__("add", ["NET_ADMIN"]), "adds capabilities"),
    "seccomp unconfined": (lambda d: [_api(d)["securityContext"].__setitem__("seccompProfile", {"type": "Unconfined"})], "seccomp"),
    "writable root": (lambda d: _web(d)["securityContext"].__setitem__("readOnlyRootFilesystem", False), "readOnlyRootFilesystem"),
    "host network": (lambda d: _api_pod(d).__setitem__("hostNetwork", True), "hostNetwork"),
    "host PID": (lambda d: _api_pod(d).__setitem__("hostPID", True), "hostPID"),
    "hostPath volume": (lambda d: _api_pod(d).__setitem__("volumes", [{"name": "h", "hostPath": {"path": "/"}}]), "hostPath"),
    "host port": (lambda d: _api(d)["ports"][0].__setitem__("hostPort", 8000), "hostPort"),
    "token mounted": (lambda d: _api_pod(d).__setitem__("automountServiceAccountToken", True), "automountServiceAccountToken"),
    "account mounts token": (lambda d: find(d, "ServiceAccount", "rampart-web").pop("automountServiceAccountToken"), "mounts a token"),
    "default account": (lambda d: _api_pod(d).pop("serviceAccountName"), "service account default"),
    "no memory limit": (lambda d: _api(d)["resources"]["limits"].pop("memory"), "no memory limit"),
    "no cpu request": (lambda d: _web(d)["resources"]["requests"].pop("cpu"), "no cpu request"),
    "image by tag": (lambda d: _web(d).__setitem__("image", "ghcr.io/rampart-dev/rampart-web:1.0"), "digest"),
    "namespace baseline": (lambda d: find(d, "Namespace", "rampart")["metadata"]["labels"].__setitem__("pod-security.kubernetes.io/enforce", "baseline"), "enforce"),
    "object elsewhere": (lambda d: find(d, "Service", "rampart-web")["metadata"].__setitem__("namespace", "default"), "not in namespace"),
    # --- probes, rollout, disruption, scaling -------------------------------------
    "no readiness probe": (lambda d: _web(d).pop("readinessProbe"), "readinessProbe"),
    "no liveness probe": (lambda d: _api(d).pop("livenessProbe"), "livenessProbe"),
    "liveness on the database": (lambda d: _api(d)["livenessProbe"]["httpGet"].__setitem__("path", "/readyz"), "liveness probe"),
    "readiness without the database": (lambda d: _api(d)["readinessProbe"]["httpGet"].__setitem__("path", "/healthz"), "readiness probe"),
    "one replica": (lambda d: find(d, "Deployment", "rampart-api")["spec"].__setitem__("replicas", 1), "replicas 1"),
    "autoscaler down to one": (lambda d: find(d, "HorizontalPodAutoscaler", "rampart-api")["spec"].__setitem__("minReplicas", 1), "minReplicas"),
    "no autoscaler": (lambda d: d.remove(find(d, "HorizontalPodAutoscaler", "rampart-api")), "HorizontalPodAutoscaler"),
    "shrinking rollout": (lambda d: find(d, "Deployment", "rampart-api")["spec"]["strategy"]["rollingUpdate"].__setitem__("maxUnavailable", 1), "maxUnavailable"),
    "recreate": (lambda d: find(d, "Deployment", "rampart-api")["spec"].__setitem__("strategy", {"type": "Recreate"}), "rolling update"),
    "no spread": (lambda d: _api_pod(d).pop("topologySpreadConstraints"), "spread"),
    "no preStop": (lambda d: _api(d).pop("lifecycle"), "preStop"),
    "grace too short": (lambda d: _api_pod(d).__setitem__("terminationGracePeriodSeconds", 15), "terminationGracePeriodSeconds"),
    "no disruption budget": (lambda d: d.remove(find(d, "PodDisruptionBudget", "rampart-web")), "PodDisruptionBudget"),
    # --- network policies ----------------------------------------------------------
    "no default deny": (lambda d: d.remove(find(d, "NetworkPolicy", "default-deny-all")), "default-deny"),
    "egress anywhere": (lambda d: _policy(d, "rampart-api")["egress"][0]["to"].__setitem__(0, {"ipBlock": {"cidr": "0.0.0.0/0"}}), "every destination"),
    "egress rule without peers": (lambda d: _policy(d, "rampart-api")["egress"][0].pop("to"), "every destination"),
    "egress on any port": (lambda d: _policy(d, "rampart-api")["egress"][0].pop("ports"), "every port"),
    "egress to https": (lambda d: _policy(d, "rampart-api")["egress"][1]["ports"].append({"protocol": "TCP", "port": 443}), "beyond"),
    "the SPA reaches out": (lambda d: _policy(d, "rampart-web").__setitem__("egress", [{"to": [{"ipBlock": {"cidr": "10.0.0.1/32"}}], "ports": [{"port": 80}]}]), "beyond"),
    "ingress from everyone": (lambda d: _policy(d, "rampart-api")["ingress"][0].pop("from"), "every source"),
    "ingress from every namespace": (lambda d: _policy(d, "rampart-web")["ingress"][0].__setitem__("from", [{"namespaceSelector": {}}]), "every source"),
    "nobody may reach the API": (lambda d: _policy(d, "rampart-api").pop("ingress"), "admits traffic"),
    # --- secrets and references --------------------------------------------------------
    "committed Secret": (lambda d: d.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "rampart-api", "namespace": "rampart"}, "stringData": {"JWT_SECRET": "x"}}), "Secret/rampart-api"),
    "literal secret": (lambda d: _api(d)["env"].__setitem__(1, {"name": "JWT_SECRET", "value": "not-so-secret"}), "literal"),
    "secret in the ConfigMap": (lambda d: K.by_kind(d, "ConfigMap")[0]["data"].__setitem__("SMTP_PASSWORD", "x"), "secret in a ConfigMap"),
    "other Secret": (lambda d: _api(d)["env"][0]["valueFrom"]["secretKeyRef"].__setitem__("name", "db-creds"), "only rampart-api"),
    "whole Secret as env": (lambda d: _api(d)["envFrom"].append({"secretRef": {"name": "rampart-api"}}), "envFrom a whole Secret"),
    "unrendered ConfigMap": (lambda d: _api(d)["envFrom"][0]["configMapRef"].__setitem__("name", "rampart-api-config"), "not rendered"),
    # --- ingress -------------------------------------------------------------------------
    "host mismatch": (lambda d: find(d, "Ingress", "rampart-web")["spec"]["rules"][0].__setitem__("host", "other.example.org"), "FRONTEND_HOST"),
    "no TLS": (lambda d: find(d, "Ingress", "rampart-api")["spec"].pop("tls"), "no TLS"),
    "plain HTTP entry point": (lambda d: find(d, "Ingress", "rampart-web")["metadata"]["annotations"].__setitem__("traefik.ingress.kubernetes.io/router.entrypoints", "web,websecure"), "websecure"),
    "no security headers": (lambda d: find(d, "Ingress", "rampart-web")["metadata"]["annotations"].__setitem__("traefik.ingress.kubernetes.io/router.middlewares", "rampart-web-body-limit@kubernetescrd"), "security headers"),
    "API without retry": (lambda d: find(d, "Ingress", "rampart-api")["metadata"]["annotations"].__setitem__("traefik.ingress.kubernetes.io/router.middlewares", "rampart-security-headers@kubernetescrd,rampart-api-body-limit@kubernetescrd"), "retry"),
    "metrics routed": (lambda d: find(d, "Ingress", "rampart-api")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"].__setitem__("port", {"name": "metrics"}), "metrics"),
    # --- checkov exceptions ----------------------------------------------------------------
    "extra checkov skip": (lambda d: find(d, "Deployment", "rampart-web")["metadata"].setdefault("annotations", {}).__setitem__("checkov.io/skip1", "CKV_K8S_22=because"), "not allowed"),
    "Job in the app build": (lambda d: d.append(copy.deepcopy(find(d, "Deployment", "rampart-api")) | {"kind": "Job"}), "contains a Job"),
}

PRESTART_FLAWS = {
    "job retries forever": (lambda d: find(d, "Job", "rampart-prestart")["spec"].__setitem__("backoffLimit", 10), "backoffLimit"),
    "job without deadline": (lambda d: find(d, "Job", "rampart-prestart")["spec"].pop("activeDeadlineSeconds"), "activeDeadlineSeconds"),
    "job runs another command": (lambda d: _job(d).__setitem__("args", ["migrate"]), "expected [prestart]"),
    "job runs another release": (lambda d: _job(d).__setitem__("image", "ghcr.io/rampart-dev/rampart-api@sha256:" + "1" * 64), "not the API's"),
    "job lacks a secret": (lambda d: _job(d)["env"].pop(), "secret variables"),
    "job as root": (lambda d: _job(d)["securityContext"].__setitem__("runAsUser", 0), "runAsUser"),
    "job reaches SMTP": (lambda d: _policy(d, "rampart-prestart")["egress"][0]["ports"].append({"protocol": "TCP", "port": 587}), "beyond"),
    "job mounts a token": (lambda d: find(d, "Job", "rampart-prestart")["spec"]["template"]["spec"].pop("automountServiceAccountToken"), "automountServiceAccountToken"),
}


@pytest.mark.parametrize("case", sorted(APP_FLAWS))
def test_planted_flaw_in_the_application_is_caught(app, prestart, case):
    mutate, needle = APP_FLAWS[case]
    docs = copy.deepcopy(app)
    mutate(docs)
    violations = K.all_violations(docs, prestart)
    assert any(needle in v for v in violations), f"{case}: {violations}"


@pytest.mark.parametrize("case", sorted(PRESTART_FLAWS))
def test_planted_flaw_in_the_prestart_job_is_caught(app, prestart, case):
    mutate, needle = PRESTART_FLAWS[case]
    docs = copy.deepcopy(prestart)
    mutate(docs)
    violations = K.all_violations(app, docs)
    assert any(needle in v for v in violations), f"{case}: {violations}"


def test_schema_validation_catches_a_misspelt_field_and_an_unknown_kind(app):
    """Strict schemas: a typo in a security field is an error, not ignored."""
    import kubernetes_validate as kv

    versions = [kube_render.OLDEST_SUPPORTED, kv.latest_version()]
    assert kube_render.schema_errors(app, versions) == []
    typo = copy.deepcopy(app)
    _api(typo)["securityContext"]["readOnlyRootFileSystem"] = _api(typo)["securityContext"].pop("readOnlyRootFilesystem")
    assert any("readOnlyRootFileSystem" in e for e in kube_render.schema_errors(typo, versions))
    unknown = copy.deepcopy(app)
    find(unknown, "Deployment", "rampart-web")["kind"] = "Deploymnet"
    assert any("no Kubernetes" in e for e in kube_render.schema_errors(unknown, versions))
    too_new = copy.deepcopy(app)
    _api(too_new)["lifecycle"]["preStop"]["sleep"]["seconds"] = "ten"
    assert any("sleep" in e for e in kube_render.schema_errors(too_new, versions))


def test_the_pod_monitor_scrapes_the_api_metrics_port_that_the_network_policy_opens(app):
    monitor = yaml.safe_load((E.REPO / "deploy/monitoring/podmonitor.yaml").read_text(encoding="utf-8"))
    labels = find(app, "Deployment", "rampart-api")["spec"]["template"]["metadata"]["labels"]
    assert K._matches(monitor["spec"]["selector"], labels)
    port = monitor["spec"]["podMetricsEndpoints"][0]["port"]
    ports = {p["name"]: p["containerPort"] for p in _api(app)["ports"]}
    assert port in ports
    config = K.by_kind(app, "ConfigMap")[0]["data"]
    assert config["METRICS_BIND"].endswith(f":{ports[port]}"), "the API listens for metrics where the pod monitor scrapes"
    admitted = {p["port"] for rule in _policy(app, "rampart-api")["ingress"] for p in rule["ports"]}
    assert ports[port] in admitted
