"""Hardening policy for compose.yml, the Traefik configuration and the Dockerfiles.

Each check returns a list of human-readable violations (empty = compliant), so
the tests can assert both that the committed files comply and that a copy with
one property removed is caught (see test_*.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]

DIGEST_RE = re.compile(r"^[a-z0-9.\-/:]+:[A-Za-z0-9._\-]+@sha256:[0-9a-f]{64}$")
# Our own images: repository@${SOMETHING_DIGEST:?message}, i.e. the digest is
# mandatory and comes from a verified release (docs/deployment.md).
OWN_IMAGE_RE = re.compile(r"^[a-z0-9.\-/]+@\$\{[A-Z0-9_]+_DIGEST:\?[^}]+\}$")
NUMERIC_USER_RE = re.compile(r"^(\d+)(?::(\d+))?$")
SECRET_NAME_RE = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE|_KEY$|APIKEY)", re.I)
INTERPOLATION_RE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")

# The one service allowed to run as root: it chowns the ACME volume for
# Traefik's user and exits. It must keep exactly this narrow shape.
ROOT_EXCEPTIONS = {"acme-init"}
# Capabilities a service may add back (everything else stays dropped).
ALLOWED_CAP_ADD = {"acme-init": {"CHOWN"}}
# Services allowed to publish ports.
PUBLISHERS = {"traefik"}
# The API replicas: services named api-1, api-2, ... (one definition, x-api-server).
API_REPLICA_RE = re.compile(r"^api-\d+$")
# Services allowed on the database network (plus every API replica).
DB_CLIENTS = {"db", "migrate", "create-superuser"}
# Named volumes a service may write to (everything else is read-only).
WRITABLE_VOLUMES = {"db": {"db-data"}, "traefik": {"acme"}, "acme-init": {"acme"}}
REQUIRED_LIMITS = ("cpus", "memory", "pids")
LONG_RUNNING_RESTART = {"always", "unless-stopped", "on-failure"}
DANGEROUS_PATHS = ("docker.sock", "/var/run/docker", "/run/docker", "containerd.sock", "podman.sock")


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _volume_parts(entry: Any) -> tuple[str, str, bool]:
    """(source, target, read_only) for a short- or long-syntax volume."""
    if isinstance(entry, dict):
        return (str(entry.get("source", "")), str(entry.get("target", "")), bool(entry.get("read_only")))
    parts = str(entry).split(":")
    if len(parts) == 1:
        return ("", parts[0], False)
    opts = parts[2].split(",") if len(parts) > 2 else []
    return (parts[0], parts[1], "ro" in opts)


def _depends_on(service: dict) -> dict:
    deps = service.get("depends_on") or {}
    return deps if isinstance(deps, dict) else {name: None for name in deps}


def compose_violations(doc: dict) -> list[str]:
    out: list[str] = []
    services: dict = doc.get("services") or {}
    networks: dict = doc.get("networks") or {}
    if not services:
        return ["compose: no services"]

    one_shots = {name for name, svc in services.items() if str(svc.get("restart")) == "no"}
    waited_for = {
        dep
        for svc in services.values()
        for dep, cond in _depends_on(svc).items()
        if isinstance(cond, dict) and cond.get("condition") == "service_completed_successfully"
    }

    for name, svc in services.items():
        where = f"service {name}"
        # --- image: immutable reference --------------------------------------
        image = str(svc.get("image", ""))
        if "build" in svc:
            out.append(f"{where}: has a build section (production uses published digests)")
        if not (DIGEST_RE.match(image) or OWN_IMAGE_RE.match(image)):
            out.append(f"{where}: image {image!r} is not pinned as name:tag@sha256:<64 hex> (or repo@${{..._DIGEST:?}})")
        if re.search(r":latest(@|$)", image):
            out.append(f"{where}: image uses :latest")

        # --- file system, capabilities, privileges ----------------------------
        if svc.get("read_only") is not True:
            out.append(f"{where}: read_only is not true")
        if svc.get("cap_drop") != ["ALL"]:
            out.append(f"{where}: cap_drop is not [ALL]")
        cap_add = set(svc.get("cap_add") or [])
        if not cap_add <= ALLOWED_CAP_ADD.get(name, set()):
            out.append(f"{where}: cap_add {sorted(cap_add)} is not allowed")
        if "no-new-privileges:true" not in (svc.get("security_opt") or []):
            out.append(f"{where}: security_opt lacks no-new-privileges:true")
        if svc.get("privileged"):
            out.append(f"{where}: privileged")
        for key in ("pid", "ipc", "userns_mode", "uts", "cgroup"):
            if str(svc.get(key, "")).startswith("host"):
                out.append(f"{where}: {key}: host")
        if str(svc.get("network_mode", "")).startswith(("host", "service:", "container:")):
            out.append(f"{where}: network_mode {svc.get('network_mode')!r}")
        if svc.get("devices"):
            out.append(f"{where}: devices mapped")
        for opt in svc.get("security_opt") or []:
            if "unconfined" in str(opt):
                out.append(f"{where}: security_opt {opt!r}")

        # --- user -------------------------------------------------------------
        user = str(svc.get("user", ""))
        match = NUMERIC_USER_RE.match(user)
        if not match:
            out.append(f"{where}: user {user!r} is not a numeric UID[:GID]")
        elif int(match.group(1)) == 0 or (match.group(2) is not None and int(match.group(2)) == 0 and name not in ROOT_EXCEPTIONS):
            if name in ROOT_EXCEPTIONS:
                if cap_add != ALLOWED_CAP_ADD[name] or svc.get("network_mode") != "none" or name not in one_shots:
                    out.append(f"{where}: runs as root without the narrow exception shape (only CHOWN, network none, one-shot)")
            else:
                out.append(f"{where}: runs as root")

        # --- volumes: no sockets, binds read-only, writable only data volumes --
        for entry in svc.get("volumes") or []:
            source, target, read_only = _volume_parts(entry)
            if any(p in source or p in target for p in DANGEROUS_PATHS):
                out.append(f"{where}: mounts a container runtime socket ({source or target})")
            is_bind = source.startswith((".", "/", "~", "$"))
            if is_bind and not read_only:
                out.append(f"{where}: bind mount {source} is not read-only")
            if is_bind and source.rstrip("/") in ("/", "/proc", "/sys", "/etc", "/var/run", "/run"):
                out.append(f"{where}: bind-mounts host path {source}")
            if not is_bind and not read_only and source not in WRITABLE_VOLUMES.get(name, set()):
                out.append(f"{where}: writable volume {source or target} is not an allowed data volume")

        # --- tmpfs: bounded, never executable -------------------------------------
        tmpfs = svc.get("tmpfs") or []
        for entry in [tmpfs] if isinstance(tmpfs, str) else tmpfs:
            opts = str(entry).split(":", 1)[1] if ":" in str(entry) else ""
            if "size=" not in opts:
                out.append(f"{where}: tmpfs {entry!r} has no size limit")
            if re.search(r"(^|,)exec(,|$)", opts):
                out.append(f"{where}: tmpfs {entry!r} is executable")

        # --- resources ----------------------------------------------------------
        limits = (((svc.get("deploy") or {}).get("resources") or {}).get("limits")) or {}
        for key in REQUIRED_LIMITS:
            if key not in limits:
                out.append(f"{where}: deploy.resources.limits.{key} missing")

        # --- restart and health -------------------------------------------------
        restart = svc.get("restart")
        if restart is None:
            out.append(f"{where}: no restart policy")
        health = svc.get("healthcheck") or {}
        if name in one_shots:
            if name not in waited_for:
                out.append(f"{where}: one-shot job that nothing waits for with service_completed_successfully")
            if not (health.get("disable") is True or health.get("test")):
                out.append(f"{where}: one-shot without an explicit healthcheck decision")
        else:
            if str(restart).split(":")[0] not in LONG_RUNNING_RESTART:
                out.append(f"{where}: restart {restart!r} is not a long-running policy")
            if health.get("disable") or not health.get("test"):
                out.append(f"{where}: no healthcheck")
            elif health["test"][0] not in ("CMD", "CMD-SHELL"):
                out.append(f"{where}: healthcheck test has no CMD form")

        # --- depends_on with conditions -------------------------------------------
        for dep, cond in _depends_on(svc).items():
            if dep not in services:
                out.append(f"{where}: depends_on unknown service {dep}")
            condition = cond.get("condition") if isinstance(cond, dict) else None
            if condition not in ("service_healthy", "service_completed_successfully"):
                out.append(f"{where}: depends_on {dep} without a health/completion condition")
            elif condition == "service_healthy" and dep in one_shots:
                out.append(f"{where}: waits for one-shot {dep} to be healthy")

        # --- ports ------------------------------------------------------------------
        if svc.get("ports") and name not in PUBLISHERS:
            out.append(f"{where}: publishes ports {svc['ports']} (only {sorted(PUBLISHERS)} may)")

        # --- no literal secrets ---------------------------------------------------
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
        for key, value in env.items():
            if SECRET_NAME_RE.search(key) and value not in (None, "") and not INTERPOLATION_RE.search(str(value)):
                out.append(f"{where}: {key} has a literal value (secrets come from compose.env)")
            if key == "DATABASE_URL" and not INTERPOLATION_RE.search(str(value)):
                out.append(f"{where}: DATABASE_URL has a literal password")

        # --- networks -----------------------------------------------------------
        svc_networks = svc.get("networks") or []
        svc_networks = list(svc_networks) if not isinstance(svc_networks, dict) else list(svc_networks.keys())
        if "db" in svc_networks and name not in DB_CLIENTS and not API_REPLICA_RE.match(name):
            out.append(f"{where}: joins the database network")
        if not svc_networks and svc.get("network_mode") != "none":
            out.append(f"{where}: on the default network (name its networks)")

    # --- the database --------------------------------------------------------------
    if "db" in services:
        db_networks = services["db"].get("networks") or []
        if list(db_networks) != ["db"]:
            out.append("service db: must be on the db network only")
        if services["db"].get("ports") or services["db"].get("expose"):
            out.append("service db: exposes ports")
    if not (networks.get("db") or {}).get("internal"):
        out.append("network db: not internal")

    # --- the API replicas ----------------------------------------------------------
    replicas = api_replicas(doc)
    if len(replicas) < 2:
        out.append(f"api replicas: {replicas} (at least two, so one can restart while the other serves)")
    for name in replicas[1:]:
        if services[name] != services[replicas[0]]:
            out.append(f"service {name}: differs from {replicas[0]} (replicas must be interchangeable)")
    return out


def api_replicas(doc: dict) -> list[str]:
    return sorted((n for n in (doc.get("services") or {}) if API_REPLICA_RE.match(n)), key=lambda n: int(n[4:]))


def undocumented_compose_variables(compose_text: str, env_example_text: str) -> list[str]:
    """Variables compose.yml interpolates that compose.env.example does not list."""
    used = set(INTERPOLATION_RE.findall(compose_text))
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", env_example_text, re.M))
    return sorted(f"{var} is used in compose.yml but not documented in compose.env.example" for var in used - documented)


# ---------------------------------------------------------------------------
# Traefik
# ---------------------------------------------------------------------------

def parse_env_file(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def traefik_static_violations(env: dict[str, str]) -> list[str]:
    out = []
    keys = {k.upper(): v for k, v in env.items()}
    for key in keys:
        if key.startswith("TRAEFIK_API"):
            out.append(f"traefik.env: {key} (API/dashboard must stay off)")
        if key.startswith("TRAEFIK_PROVIDERS_") and not key.startswith("TRAEFIK_PROVIDERS_FILE"):
            out.append(f"traefik.env: {key} (file provider only; no Docker socket)")
    want = {
        "TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_SCHEME": "https",
        "TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_PERMANENT": "true",
        "TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS": "true",
        "TRAEFIK_GLOBAL_SENDANONYMOUSUSAGE": "false",
        "TRAEFIK_GLOBAL_CHECKNEWVERSION": "false",
        "TRAEFIK_PING": "true",
    }
    for key, value in want.items():
        if keys.get(key, "").lower() != value:
            out.append(f"traefik.env: {key} should be {value}")
    for key in ("TRAEFIK_PROVIDERS_FILE_DIRECTORY", "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE",
                "TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO"):
        if not keys.get(key):
            out.append(f"traefik.env: {key} missing")
    if not any(k.startswith("TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_") and k.endswith(("TLSCHALLENGE", "HTTPCHALLENGE_ENTRYPOINT")) for k in keys):
        out.append("traefik.env: ACME resolver 'le' has no challenge")
    for ep in ("WEB", "WEBSECURE"):
        timeout = keys.get(f"TRAEFIK_ENTRYPOINTS_{ep}_TRANSPORT_RESPONDINGTIMEOUTS_READTIMEOUT", "")
        match = re.fullmatch(r"(\d+)s", timeout)
        if not match or not 0 < int(match.group(1)) <= 60:
            out.append(f"traefik.env: {ep} read timeout {timeout!r} not set to 1-60s")
        port = keys.get(f"TRAEFIK_ENTRYPOINTS_{ep}_ADDRESS", "")
        if not re.fullmatch(r":\d+", port) or int(port[1:]) < 1024:
            out.append(f"traefik.env: {ep} address {port!r} must be an unprivileged port")
    return out


def render_dynamic(text: str, env: dict[str, str]) -> dict:
    """A tiny stand-in for Traefik's Go templating, enough for our own file."""
    variables = {}
    for var, name, default in re.findall(r'\{\{-?\s*\$(\w+)\s*:=\s*env\s+"(\w+)"(?:\s*\|\s*default\s+"([^"]*)")?\s*\}\}', text):
        variables[var] = env.get(name) or default
    text = re.sub(r"\{\{-?\s*\$\w+\s*:=.*?\}\}\n?", "", text)
    text = re.sub(r"\{\{\s*\$(\w+)\s*\}\}", lambda m: variables[m.group(1)], text)
    if "{{" in text:
        raise ValueError("unsupported template construct in dynamic configuration")
    return yaml.safe_load(text)


def traefik_dynamic_violations(doc: dict) -> list[str]:
    out = []
    http = doc.get("http") or {}
    routers = http.get("routers") or {}
    middlewares = http.get("middlewares") or {}
    if set(routers) != {"api", "web"}:
        out.append(f"dynamic: routers are {sorted(routers)}, expected api and web only")
    for name, router in routers.items():
        if router.get("entryPoints") != ["websecure"]:
            out.append(f"dynamic: router {name} is not only on websecure")
        if not (router.get("tls") or {}).get("certResolver"):
            out.append(f"dynamic: router {name} has no ACME certResolver")
        if "Host(`" not in str(router.get("rule")):
            out.append(f"dynamic: router {name} does not match on Host")
        used = router.get("middlewares") or []
        kinds = {next(iter(middlewares.get(m, {}) or {"?": 0})) for m in used}
        if "headers" not in kinds:
            out.append(f"dynamic: router {name} lacks the security-headers middleware")
        if "buffering" not in kinds:
            out.append(f"dynamic: router {name} lacks a body-limit (buffering) middleware")
    for name, mw in middlewares.items():
        if "headers" in mw:
            h = mw["headers"]
            if int(h.get("stsSeconds", 0)) < 63072000 or not h.get("stsIncludeSubdomains"):
                out.append(f"dynamic: {name}: HSTS below max-age=63072000; includeSubDomains")
            if not h.get("contentTypeNosniff"):
                out.append(f"dynamic: {name}: no nosniff")
            if h.get("referrerPolicy") != "no-referrer":
                out.append(f"dynamic: {name}: Referrer-Policy is not no-referrer")
        if "buffering" in mw:
            b = mw["buffering"]
            if not 0 < int(b.get("maxRequestBodyBytes", 0)) <= 1048576:
                out.append(f"dynamic: {name}: maxRequestBodyBytes not in 1..1 MiB")
    out += _api_balancing_violations(doc)
    if (((doc.get("tls") or {}).get("options") or {}).get("default") or {}).get("minVersion") not in ("VersionTLS12", "VersionTLS13"):
        out.append("dynamic: TLS minVersion below 1.2")
    return out


def _seconds(value: Any) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)", str(value))
    if not match:
        return None
    return float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)


def _api_balancing_violations(doc: dict) -> list[str]:
    """The API service balances over several replicas, admits only ready
    ones, and retries what no replica has seen, never on a status code."""
    out = []
    http = doc.get("http") or {}
    lb = (((http.get("services") or {}).get("api") or {}).get("loadBalancer")) or {}
    servers = lb.get("servers") or []
    if len(servers) < 2:
        out.append(f"dynamic: service api has {len(servers)} server(s), expected every API replica")
    urls = [s.get("url") for s in servers]
    if len(set(urls)) != len(urls):
        out.append(f"dynamic: service api lists a server twice: {urls}")
    health = lb.get("healthCheck") or {}
    if health.get("path") != "/readyz":
        out.append(f"dynamic: service api health check path is {health.get('path')!r}, expected /readyz")
    interval = _seconds(health.get("interval"))
    if interval is None or interval > 5:
        out.append(f"dynamic: service api health check interval {health.get('interval')!r} (at most 5s, or a stopped replica keeps getting requests)")
    timeout = _seconds(health.get("timeout"))
    if timeout is None or interval is None or timeout >= interval:
        out.append(f"dynamic: service api health check timeout {health.get('timeout')!r} must be set and below the interval")
    middlewares = http.get("middlewares") or {}
    used = ((http.get("routers") or {}).get("api") or {}).get("middlewares") or []
    retries = [middlewares[m]["retry"] for m in used if "retry" in (middlewares.get(m) or {})]
    if not retries:
        out.append("dynamic: router api has no retry middleware (a restarting replica would fail requests)")
    for retry in retries:
        if int(retry.get("attempts", 0)) < 2:
            out.append("dynamic: api retry attempts below 2")
        if retry.get("status") or retry.get("retryNonIdempotentMethod"):
            out.append("dynamic: api retry on status codes or non-idempotent methods could run a mutation twice")
        if retry.get("disableRetryOnNetworkError"):
            out.append("dynamic: api retry does not retry refused connections")
    return out


# ---------------------------------------------------------------------------
# Dockerfiles
# ---------------------------------------------------------------------------

def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined, comments dropped."""
    logical, current = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        logical.append(current.strip())
        current = ""
    if current:
        logical.append(current.strip())
    result = []
    for line in logical:
        instr, _, args = line.partition(" ")
        result.append((instr.upper(), args.strip()))
    return result


def dockerfile_violations(text: str, kind: str) -> list[str]:
    """kind: 'api' (no shell runtime) or 'web' (unprivileged nginx)."""
    out = []
    syntax = re.match(r"#\s*syntax=(\S+)", text)
    if syntax and not re.search(r"@sha256:[0-9a-f]{64}$", syntax.group(1)):
        out.append(f"{kind}: syntax directive {syntax.group(1)} is not pinned by digest")
    instrs = _instructions(text)
    stages: list[dict] = []
    aliases: set[str] = set()
    for instr, args in instrs:
        if instr == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            image = words[0]
            alias = words[2].lower() if len(words) >= 3 and words[1].upper() == "AS" else None
            if image.lower() not in aliases and image != "scratch" and not DIGEST_RE.match(image):
                out.append(f"{kind}: FROM {image} is not name:tag@sha256:<64 hex>")
            if re.search(r":latest(@|$)", image):
                out.append(f"{kind}: FROM {image} uses :latest")
            stages.append({"image": image, "alias": alias, "instrs": []})
            if alias:
                aliases.add(alias)
        elif stages:
            stages[-1]["instrs"].append((instr, args))
        if instr == "ADD" and re.search(r"https?://", args):
            out.append(f"{kind}: ADD from a URL")
        if instr == "RUN" and re.search(r"\b(curl|wget)\b[^|]*\|\s*(ba)?sh", args):
            out.append(f"{kind}: pipes a download into a shell")
    if not stages:
        return out + [f"{kind}: no FROM"]
    if len(stages) < 2:
        out.append(f"{kind}: not multi-stage")
    final = stages[-1]
    final_instrs = final["instrs"]
    users = [args for instr, args in final_instrs if instr == "USER"]
    if not users:
        out.append(f"{kind}: final stage has no USER")
    else:
        match = NUMERIC_USER_RE.match(users[-1])
        if not match:
            out.append(f"{kind}: USER {users[-1]} is not numeric")
        elif int(match.group(1)) == 0:
            out.append(f"{kind}: final USER is root")
    exposes = [int(p.split("/")[0]) for instr, args in final_instrs if instr == "EXPOSE" for p in args.split()]
    if not exposes:
        out.append(f"{kind}: no EXPOSE")
    for port in exposes:
        if port < 1024:
            out.append(f"{kind}: EXPOSE {port} is a privileged port")
    health = [args for instr, args in final_instrs if instr == "HEALTHCHECK"]
    if not health or health[-1].upper().startswith("NONE"):
        out.append(f"{kind}: no HEALTHCHECK")
    labels = " ".join(args for instr, args in final_instrs if instr == "LABEL")
    for label in ("source", "revision", "licenses", "description"):
        if f"org.opencontainers.image.{label}=" not in labels:
            out.append(f"{kind}: OCI label org.opencontainers.image.{label} missing")
    body = "\n".join(f"{i} {a}" for s in stages for i, a in s["instrs"])
    if kind == "api":
        base = final["image"]
        if not (base == "scratch" or (base.startswith("gcr.io/distroless/") and ":debug" not in base)
                or base.startswith("cgr.dev/chainguard/static")):
            out.append(f"api: runtime base {base} may ship a shell (use distroless or scratch)")
        if any(instr in ("RUN", "SHELL") for instr, _ in final_instrs):
            out.append("api: RUN/SHELL in the runtime stage (it must have no shell)")
        if not health or not re.search(r'CMD \["[^"]*api", "healthcheck"\]', health[-1]):
            out.append("api: HEALTHCHECK does not run the binary's own healthcheck (exec form)")
        if not re.search(r"cargo auditable build --release --locked", body):
            out.append("api: binary not built with cargo auditable build --release --locked")
        if re.search(r"cargo install(?![^\n]*--locked)", body):
            out.append("api: cargo install without --locked")
    if kind == "web":
        if "npm ci --ignore-scripts" not in body:
            out.append("web: dependencies not installed with npm ci --ignore-scripts")
        if re.search(r"npm (install|i)\b", body):
            out.append("web: npm install (not npm ci)")
        if "nginx-unprivileged" not in final["image"]:
            out.append("web: runtime is not the unprivileged nginx image")
    return out


def dockerignore_violations(text: str) -> list[str]:
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    out = []
    allow_list = bool(lines) and lines[0] == "*"
    for needle in (".git", "target", "node_modules", ".env"):
        if allow_list:
            if any(l.startswith("!") and needle in l for l in lines):
                out.append(f".dockerignore: re-includes {needle}")
            if not any(l in (f"**/{needle}", needle, f"/{needle}") for l in lines) and needle != ".git":
                out.append(f".dockerignore: {needle} not re-excluded inside allowed folders")
        elif not any(needle in l and not l.startswith("!") for l in lines):
            out.append(f".dockerignore: {needle} not excluded")
    return out
