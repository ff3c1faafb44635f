"""Policy for the rendered Kubernetes manifests (deploy/kubernetes).

Each check takes the rendered objects of one build and returns readable
violations (empty = compliant), so the tests can show both that the
committed manifests comply and that a copy with one flaw planted is caught
(test_kubernetes_policy.py).

The pod rules are the Kubernetes "restricted" Pod Security Standard
(https://kubernetes.io/docs/concepts/security/pod-security-standards/), plus
what this project requires on top: a read-only root file system, no
service-account token, resource requests and limits, probes.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterator

POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}
# Volume types the restricted standard allows.
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
DIGEST_RE = re.compile(r"^[a-z0-9.\-/]+@sha256:[0-9a-f]{64}$")
# The one Secret the manifests reference; the operator creates it.
SENSITIVE_SETTINGS_OBJECT = "rampart-api"
# What each workload may reach (TCP/UDP ports); anything else is a finding.
EGRESS_PORTS = {
    "rampart-api": {5432, 587, 465, 53},
    "rampart-prestart": {5432, 53},
    "rampart-web": set(),
}
# Checkov findings skipped in the manifests, each with its reason there.
ALLOWED_CHECKOV_SKIPS = {
    # The API reads its secrets from environment variables only (no *_FILE
    # variants yet); the values come from a Secret, never from the manifest.
    ("Deployment", "rampart-api"): {"CKV_K8S_35"},
    ("Job", "rampart-prestart"): {"CKV_K8S_35"},
}


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d.get("kind") == kind]


def name_of(doc: dict) -> str:
    return (doc.get("metadata") or {}).get("name", "?")


def pod_templates(docs: list[dict]) -> Iterator[tuple[dict, dict]]:
    """(owner, pod template) for every object that creates pods."""
    for doc in docs:
        if doc.get("kind") in POD_OWNERS:
            yield doc, ((doc.get("spec") or {}).get("template") or {})
        elif doc.get("kind") == "CronJob":
            yield doc, (((doc.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
        elif doc.get("kind") == "Pod":
            yield doc, doc


def _containers(pod_spec: dict) -> list[dict]:
    return (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or []) + \
        (pod_spec.get("ephemeralContainers") or [])


def _matches(selector: dict, labels: dict) -> bool:
    wanted = selector.get("matchLabels") or {}
    if selector.get("matchExpressions"):
        return False  # not used here: treat as not matching (a finding, not a pass)
    return all(labels.get(k) == v for k, v in wanted.items())


# ---------------------------------------------------------------------------
# Pods: the restricted profile and the project's own rules
# ---------------------------------------------------------------------------

def pod_violations(docs: list[dict]) -> list[str]:
    out = []
    accounts = {name_of(sa): sa for sa in by_kind(docs, "ServiceAccount")}
    for owner, template in pod_templates(docs):
        where = f"{owner['kind']}/{name_of(owner)}"
        spec = template.get("spec") or {}
        pod_sc = spec.get("securityContext") or {}
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(key) is True:
                out.append(f"{where}: {key}")
        for volume in spec.get("volumes") or []:
            types = set(volume) - {"name"}
            if not types <= RESTRICTED_VOLUMES:
                out.append(f"{where}: volume {volume.get('name')} of type {sorted(types - RESTRICTED_VOLUMES)}")
        if pod_sc.get("sysctls"):
            out.append(f"{where}: sysctls")
        # Service-account token: off on the pod, and on its account.
        account = spec.get("serviceAccountName", "default")
        if spec.get("automountServiceAccountToken") is not False:
            out.append(f"{where}: automountServiceAccountToken is not false")
        if account not in accounts:
            out.append(f"{where}: service account {account} is not defined here (the default one mounts a token)")
        elif accounts[account].get("automountServiceAccountToken") is not False:
            out.append(f"{where}: service account {account} mounts a token")
        for c in _containers(spec):
            cwhere = f"{where} container {c.get('name')}"
            sc = c.get("securityContext") or {}

            def effective(key: str) -> Any:
                return sc.get(key, pod_sc.get(key))

            if effective("runAsNonRoot") is not True:
                out.append(f"{cwhere}: runAsNonRoot is not true")
            if effective("runAsUser") in (0, None):
                out.append(f"{cwhere}: runAsUser is {effective('runAsUser')!r} (a numeric non-root UID)")
            if effective("runAsGroup") in (0, None):
                out.append(f"{cwhere}: runAsGroup is {effective('runAsGroup')!r} (a numeric non-root GID)")
            seccomp = (effective("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                out.append(f"{cwhere}: seccompProfile is {seccomp!r}, not RuntimeDefault")
            if sc.get("allowPrivilegeEscalation") is not False:
                out.append(f"{cwhere}: allowPrivilegeEscalation is not false")
            if sc.get("privileged") is True:
                out.append(f"{cwhere}: privileged")
            caps = sc.get("capabilities") or {}
            if "ALL" not in (caps.get("drop") or []):
                out.append(f"{cwhere}: capabilities are not dropped (drop: [ALL])")
            if caps.get("add"):
                out.append(f"{cwhere}: adds capabilities {caps['add']}")
            if sc.get("procMount") not in (None, "Default"):
                out.append(f"{cwhere}: procMount {sc['procMount']}")
            if sc.get("readOnlyRootFilesystem") is not True:
                out.append(f"{cwhere}: readOnlyRootFilesystem is not true")
            for port in c.get("ports") or []:
                if port.get("hostPort"):
                    out.append(f"{cwhere}: hostPort {port['hostPort']}")
            resources = c.get("resources") or {}
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in (resources.get(section) or {}):
                        out.append(f"{cwhere}: no {resource} {section[:-1]}")
            image = str(c.get("image", ""))
            if not DIGEST_RE.match(image):
                out.append(f"{cwhere}: image {image!r} is not pinned by digest")
            if owner["kind"] != "Job":
                for probe in ("readinessProbe", "livenessProbe"):
                    if not c.get(probe):
                        out.append(f"{cwhere}: no {probe}")
    return out


def namespace_violations(docs: list[dict]) -> list[str]:
    out = []
    namespaces = by_kind(docs, "Namespace")
    if len(namespaces) != 1:
        return [f"namespaces: {[name_of(n) for n in namespaces]} (expected exactly one)"]
    ns = namespaces[0]
    labels = (ns.get("metadata") or {}).get("labels") or {}
    if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
        out.append(f"namespace {name_of(ns)}: pod-security.kubernetes.io/enforce is {labels.get('pod-security.kubernetes.io/enforce')!r}")
    for doc in docs:
        if doc.get("kind") != "Namespace" and (doc.get("metadata") or {}).get("namespace") != name_of(ns):
            out.append(f"{doc.get('kind')}/{name_of(doc)}: not in namespace {name_of(ns)}")
    return out


# ---------------------------------------------------------------------------
# The API: replicas, rollout, probes, spread, disruption, autoscaling
# ---------------------------------------------------------------------------

def _probe_path(container: dict, probe: str) -> str | None:
    return (((container.get(probe) or {}).get("httpGet")) or {}).get("path")


def api_violations(docs: list[dict]) -> list[str]:
    out = []
    api = next((d for d in by_kind(docs, "Deployment") if name_of(d) == "rampart-api"), None)
    if api is None:
        return ["Deployment/rampart-api missing"]
    spec = api.get("spec") or {}
    hpa = next((h for h in by_kind(docs, "HorizontalPodAutoscaler")
                if ((h.get("spec") or {}).get("scaleTargetRef") or {}).get("name") == "rampart-api"), None)
    if int(spec.get("replicas", 1)) < 2:
        out.append(f"Deployment/rampart-api: replicas {spec.get('replicas', 1)} (at least 2)")
    if hpa is None:
        out.append("Deployment/rampart-api: no HorizontalPodAutoscaler")
    elif int((hpa["spec"]).get("minReplicas", 1)) < 2:
        out.append(f"HorizontalPodAutoscaler/{name_of(hpa)}: minReplicas below 2")
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        out.append("Deployment/rampart-api: not a rolling update")
    if str(rolling.get("maxUnavailable", "25%")) not in ("0", "0%"):
        out.append(f"Deployment/rampart-api: maxUnavailable {rolling.get('maxUnavailable', '25%')!r} (must be 0: surge, never shrink)")
    if str(rolling.get("maxSurge", "25%")) in ("0", "0%"):
        out.append("Deployment/rampart-api: maxSurge 0 (a rolling update needs to surge)")
    pod = (spec.get("template") or {}).get("spec") or {}
    containers = [c for c in pod.get("containers") or [] if c.get("name") == "api"]
    if not containers:
        return out + ["Deployment/rampart-api: no container named api"]
    api_c = containers[0]
    if _probe_path(api_c, "readinessProbe") != "/readyz":
        out.append(f"Deployment/rampart-api: readiness probe on {_probe_path(api_c, 'readinessProbe')!r}, expected /readyz")
    if _probe_path(api_c, "livenessProbe") != "/healthz":
        out.append(f"Deployment/rampart-api: liveness probe on {_probe_path(api_c, 'livenessProbe')!r}, expected /healthz "
                   "(never the database: an outage must not restart every pod)")
    spread = pod.get("topologySpreadConstraints") or []
    if not any(t.get("topologyKey") == "kubernetes.io/hostname" for t in spread):
        out.append("Deployment/rampart-api: no topology spread over nodes")
    pre_stop = ((api_c.get("lifecycle") or {}).get("preStop") or {}).get("sleep", {}).get("seconds", 0)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if not pre_stop:
        out.append("Deployment/rampart-api: no preStop delay (endpoints would still route to a stopping pod)")
    elif grace <= pre_stop + 20:
        out.append(f"Deployment/rampart-api: terminationGracePeriodSeconds {grace} leaves no time to drain after preStop {pre_stop}s + 20s")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for owner in by_kind(docs, "Deployment"):
        owner_labels = ((owner.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}
        if not any(_matches((p.get("spec") or {}).get("selector") or {}, owner_labels) for p in by_kind(docs, "PodDisruptionBudget")):
            out.append(f"Deployment/{name_of(owner)}: no PodDisruptionBudget selects its pods")
    selectors = [(s.get("spec") or {}).get("selector") or {} for s in by_kind(docs, "Service")]
    if not any(sel and _matches({"matchLabels": sel}, labels) for sel in selectors):
        out.append("Deployment/rampart-api: no Service selects its pods")
    return out


def prestart_violations(job_docs: list[dict], app_docs: list[dict]) -> list[str]:
    """The Job runs `api prestart` once (no retry loop) with the very image
    and configuration the application build deploys."""
    out = []
    jobs = by_kind(job_docs, "Job")
    if len(jobs) != 1:
        return [f"prestart build: {len(jobs)} Jobs"]
    job = jobs[0]
    spec = job.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    container = (pod.get("containers") or [{}])[0]
    if container.get("args") != ["prestart"]:
        out.append(f"Job/{name_of(job)}: args {container.get('args')} (expected [prestart])")
    if pod.get("restartPolicy") != "Never" or int(spec.get("backoffLimit", 6)) > 3:
        out.append(f"Job/{name_of(job)}: restartPolicy {pod.get('restartPolicy')}, backoffLimit {spec.get('backoffLimit', 6)} "
                   "(a failing migration must fail the Job, not loop)")
    if not spec.get("activeDeadlineSeconds"):
        out.append(f"Job/{name_of(job)}: no activeDeadlineSeconds (a hung migration would block the rollout forever)")
    api = next((d for d in by_kind(app_docs, "Deployment") if name_of(d) == "rampart-api"), None)
    if api:
        api_c = api["spec"]["template"]["spec"]["containers"][0]
        if container.get("image") != api_c.get("image"):
            out.append(f"Job/{name_of(job)}: image {container.get('image')} is not the API's {api_c.get('image')}")
        if container.get("envFrom") != api_c.get("envFrom"):
            out.append(f"Job/{name_of(job)}: configuration {container.get('envFrom')} is not the API's {api_c.get('envFrom')}")
        job_secrets = {e["name"] for e in container.get("env") or []}
        api_secrets = {e["name"] for e in api_c.get("env") or []}
        if job_secrets != api_secrets:
            out.append(f"Job/{name_of(job)}: secret variables {sorted(job_secrets)} differ from the API's {sorted(api_secrets)}")
    if any(d.get("kind") == "Job" for d in app_docs):
        out.append("the application build contains a Job (it would race the rollout it must precede)")
    return out


# ---------------------------------------------------------------------------
# Network policies
# ---------------------------------------------------------------------------

def _rule_peers_open(peers: list | None) -> bool:
    """A rule without peers admits everyone; an ipBlock of a whole address
    family, too."""
    if not peers:
        return True
    for peer in peers:
        block = peer.get("ipBlock")
        if block and ipaddress.ip_network(block.get("cidr", "0.0.0.0/0"), strict=False).prefixlen == 0:
            return True
        if peer.get("namespaceSelector") == {} and not peer.get("podSelector"):
            return True
    return False


def network_violations(docs: list[dict]) -> list[str]:
    out = []
    policies = by_kind(docs, "NetworkPolicy")
    deny = [p for p in policies if (p.get("spec") or {}).get("podSelector") == {}
            and set((p["spec"]).get("policyTypes") or []) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    if not deny:
        out.append("no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)")
    for p in policies:
        spec = p.get("spec") or {}
        for rule in spec.get("ingress") or []:
            if _rule_peers_open(rule.get("from")):
                out.append(f"NetworkPolicy/{name_of(p)}: an ingress rule admits every source")
            if not rule.get("ports"):
                out.append(f"NetworkPolicy/{name_of(p)}: an ingress rule admits every port")
        for rule in spec.get("egress") or []:
            if _rule_peers_open(rule.get("to")):
                out.append(f"NetworkPolicy/{name_of(p)}: an egress rule reaches every destination")
            if not rule.get("ports"):
                out.append(f"NetworkPolicy/{name_of(p)}: an egress rule reaches every port")
    for owner, template in pod_templates(docs):
        labels = (template.get("metadata") or {}).get("labels") or {}
        own = [p for p in policies if p not in deny and _matches((p.get("spec") or {}).get("podSelector") or {}, labels)]
        name = name_of(owner)
        allowed = EGRESS_PORTS.get(name)
        if allowed is None:
            out.append(f"{owner['kind']}/{name}: no egress allow-list in the policy (kube_policy.EGRESS_PORTS)")
            continue
        ports = {int(port["port"]) for p in own for rule in (p["spec"].get("egress") or []) for port in rule.get("ports") or []}
        if not ports <= allowed:
            out.append(f"{owner['kind']}/{name}: egress to ports {sorted(ports - allowed)} beyond {sorted(allowed)}")
        if owner["kind"] != "Job" and not any((p["spec"].get("ingress")) for p in own):
            out.append(f"{owner['kind']}/{name}: no NetworkPolicy admits traffic to it (it could serve nobody)")
    return out


# ---------------------------------------------------------------------------
# Secrets, configuration references, ingress, checkov skips
# ---------------------------------------------------------------------------

def reference_violations(docs: list[dict]) -> list[str]:
    out = []
    for secret in by_kind(docs, "Secret"):
        out.append(f"Secret/{name_of(secret)} is in the manifests (secrets are created by the operator, never committed)")
    configmaps = {name_of(c) for c in by_kind(docs, "ConfigMap")}
    for owner, template in pod_templates(docs):
        for c in _containers(template.get("spec") or {}):
            for source in c.get("envFrom") or []:
                if "configMapRef" in source and source["configMapRef"]["name"] not in configmaps:
                    out.append(f"{owner['kind']}/{name_of(owner)}: ConfigMap {source['configMapRef']['name']} is not rendered")
                if "secretRef" in source:
                    out.append(f"{owner['kind']}/{name_of(owner)}: envFrom a whole Secret (name each variable)")
            for env in c.get("env") or []:
                if "value" in env and re.search(r"(PASSWORD|SECRET|TOKEN|DATABASE_URL)", env["name"]):
                    out.append(f"{owner['kind']}/{name_of(owner)}: {env['name']} has a literal value")
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref.get("name") != SENSITIVE_SETTINGS_OBJECT:
                    out.append(f"{owner['kind']}/{name_of(owner)}: {env['name']} from Secret {ref.get('name')} (only {SENSITIVE_SETTINGS_OBJECT})")
    for cm in by_kind(docs, "ConfigMap"):
        for key in (cm.get("data") or {}):
            if re.search(r"(PASSWORD|SECRET|TOKEN|DATABASE_URL)", key):
                out.append(f"ConfigMap/{name_of(cm)}: {key} is a secret in a ConfigMap")
    return out


def ingress_violations(docs: list[dict]) -> list[str]:
    out = []
    configs = by_kind(docs, "ConfigMap")
    frontend = next(((c.get("data") or {}).get("FRONTEND_HOST") for c in configs if (c.get("data") or {}).get("FRONTEND_HOST")), "")
    host = re.sub(r"^https://", "", frontend)
    if not frontend.startswith("https://"):
        out.append(f"FRONTEND_HOST {frontend!r} is not https://")
    for ing in by_kind(docs, "Ingress"):
        spec = ing.get("spec") or {}
        notes = (ing.get("metadata") or {}).get("annotations") or {}
        for rule in spec.get("rules") or []:
            if rule.get("host") != host:
                out.append(f"Ingress/{name_of(ing)}: host {rule.get('host')!r} is not FRONTEND_HOST's {host!r}")
        if not any(host in (t.get("hosts") or []) and t.get("secretName") for t in spec.get("tls") or []):
            out.append(f"Ingress/{name_of(ing)}: no TLS for {host}")
        if notes.get("traefik.ingress.kubernetes.io/router.entrypoints") != "websecure":
            out.append(f"Ingress/{name_of(ing)}: not only on the websecure (HTTPS) entry point")
        chain = notes.get("traefik.ingress.kubernetes.io/router.middlewares", "")
        if "security-headers@kubernetescrd" not in chain or "body-limit@kubernetescrd" not in chain:
            out.append(f"Ingress/{name_of(ing)}: middlewares {chain!r} lack the security headers or a body limit")
        for rule in spec.get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                service = ((path.get("backend") or {}).get("service") or {}).get("name")
                if service == "rampart-api" and "api-retry@kubernetescrd" not in chain:
                    out.append(f"Ingress/{name_of(ing)}: routes to the API without the retry middleware")
                port = ((path.get("backend") or {}).get("service") or {}).get("port") or {}
                if port.get("name") == "metrics" or port.get("number") == 9100:
                    out.append(f"Ingress/{name_of(ing)}: routes the metrics port")
    return out


def checkov_skip_violations(docs: list[dict]) -> list[str]:
    out = []
    for doc in docs:
        notes = (doc.get("metadata") or {}).get("annotations") or {}
        skips = {v.split("=", 1)[0].strip() for k, v in notes.items() if k.startswith("checkov.io/skip")}
        allowed = ALLOWED_CHECKOV_SKIPS.get((doc.get("kind"), name_of(doc)), set())
        if not skips <= allowed:
            out.append(f"{doc.get('kind')}/{name_of(doc)}: checkov skips {sorted(skips - allowed)} are not allowed")
        for k, v in notes.items():
            if k.startswith("checkov.io/skip") and "=" not in v:
                out.append(f"{doc.get('kind')}/{name_of(doc)}: checkov skip {v!r} without a reason")
    return out


def all_violations(app_docs: list[dict], prestart_docs: list[dict]) -> list[str]:
    out = []
    for docs in (app_docs, prestart_docs):
        out += pod_violations(docs) + namespace_violations(docs) + network_violations(docs)
        out += reference_violations(docs) + checkov_skip_violations(docs)
    return out + api_violations(app_docs) + ingress_violations(app_docs) + prestart_violations(prestart_docs, app_docs)
