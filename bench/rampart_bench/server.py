"""The processes under test: PostgreSQL helpers (psql, pgbench), one API
server (binary + environment + port), its configuration, and seeding."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PG = dict(host="127.0.0.1", port="5432", user="postgres")


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db, "-tAqc", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def pgbench_init(db: str) -> None:
    subprocess.run(["pgbench", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-i", "-q", db],
                   check=True, capture_output=True)


def pgbench_select_tps(db: str, seconds: int, out: Path) -> float:
    result = subprocess.run(
        ["pgbench", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"],
         "-S", "-c", "32", "-j", "2", "-T", str(seconds), "-n", db],
        check=True, capture_output=True, text=True,
    )
    out.write_text(result.stdout + result.stderr)
    for line in result.stdout.splitlines():
        if line.startswith("tps =") and "without initial connection time" in line:
            return float(line.split()[2])
    raise RuntimeError(f"pgbench printed no tps: {result.stdout}")


def postgres_url(db: str) -> str:
    # trust auth ignores the password; production mode insists on a long
    # one, so each run makes one up.
    return f"postgres://postgres:{secrets.token_hex(12)}@127.0.0.1:5432/{db}"


# The per-IP and per-account throttles would (correctly) stop a load
# generator that logs in from one address hundreds of times a minute. The
# flood scenarios leave them at their defaults.
RAISED_THROTTLES = {
    "LOGIN_IP_ATTEMPTS_PER_MINUTE": "1000000",
    "LOGIN_BACKOFF_AFTER_FAILURES": "1000",
    "LOGIN_MAX_FAILURES_PER_HOUR": "100000",
}


def run_secrets() -> dict:
    """Made up per run, shared by every server of the run (a token issued
    by one must verify on the next). Hex, since production refuses values
    that look like placeholders."""
    return {"JWT_SECRET": secrets.token_hex(32), "MFA_ENCRYPTION_KEY": secrets.token_hex(32),
            "FIRST_SUPERUSER_PASSWORD": "Bench-" + secrets.token_hex(12)}


def api_env(environment: str, database_url: str, port: int, run: dict) -> dict:
    """What the API needs to start in `environment`, nothing more: every
    other setting keeps its default (request logging included)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "ENVIRONMENT": environment,
        "API_BIND": f"127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "LOG_FORMAT": "json",
        **run,
    }
    if environment != "local":
        env.update({
            # Nothing the benchmark does sends mail; the address only has to parse.
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2", "SMTP_TLS": "none",
            "FRONTEND_HOST": "https://rampart.invalid",
            # Only how long a stop waits with /readyz down; no request sees it.
            "SHUTDOWN_DRAIN_SECS": "0",
            # Sign-up's verification link goes to that mail server, which is
            # not there: the bench's users could never open it. Off, a log-in
            # does the same work (the flag is a column of the row it reads).
            "REQUIRE_EMAIL_VERIFICATION": "false",
        })
    return env


@dataclass
class Variant:
    """One build and configuration under test: "A" is the build of this
    checkout with --env; an A/B run adds "B" (--api-bin-b and/or --ab)."""
    name: str
    binary: Path
    env: dict = field(default_factory=dict)

    def describe(self, root: Path, own_build: Path) -> str:
        if self.binary == own_build:
            shown = "this checkout's release build"
        else:
            try:
                shown = f"`{self.binary.relative_to(root)}`"
            except ValueError:
                shown = f"`{self.binary}`"
        settings = " ".join(f"{k}={v}" for k, v in self.env.items())
        return shown + (f" with `{settings}`" if settings else "")


class Api:
    """One API process; `start()` returns the seconds until /readyz is 200."""

    def __init__(self, name: str, binary: Path, env: dict, port: int, results: Path):
        self.name, self.binary, self.env, self.port, self.results = name, binary, env, port, results
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.logfile: Path | None = None

    def run_once(self, command: str) -> None:
        """`api prestart` and the like: migrations before the first serve."""
        out = subprocess.run([str(self.binary), command], env=self.env, capture_output=True, text=True,
                             cwd=self.results, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"api {command} failed: {out.stdout}{out.stderr}")

    def start(self) -> float:
        self.starts += 1
        self.logfile = self.results / f"api-{self.name}-{self.starts}.log"
        log = open(self.logfile, "w")
        began = time.perf_counter()
        self.proc = subprocess.Popen([str(self.binary), "serve"], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, cwd=self.results)
        log.close()
        deadline = began + 60
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"api exited with {self.proc.returncode}; see {self.logfile}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return time.perf_counter() - began
            except OSError:
                pass
            time.sleep(0.002)
        raise RuntimeError("api not ready within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.logfile is not None:
            compact_log(self.logfile)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


def compact_log(path: Path, keep: int = 200) -> None:
    """The request log is on (it is part of a request's cost) and writes a
    line per request: gigabytes over a full run. Keep what a reader needs:
    every line above INFO, and the first and last `keep` lines."""
    if not path.exists() or path.stat().st_size < 8 * 2**20:
        return
    head, notable, tail, dropped = [], [], [], 0
    with open(path, errors="replace") as f:
        for n, line in enumerate(f):
            if n < keep:
                head.append(line)
            elif '"level":"INFO"' not in line and '"level":"DEBUG"' not in line:
                notable.append(line)
            else:
                tail.append(line)
                if len(tail) > keep:
                    tail.pop(0)
                    dropped += 1
    with open(path, "w") as f:
        f.writelines(head + notable)
        f.write(f"[bench: {dropped} INFO lines dropped here to save space]\n")
        f.writelines(tail)


class Client:
    """A keep-alive GraphQL client for seeding."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def gql(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request("POST", "/graphql", json.dumps({"query": query, "variables": variables or {}}), headers)
        response = self.conn.getresponse()
        body = json.loads(response.read())
        if response.status != 200 or body.get("errors"):
            raise RuntimeError(f"GraphQL error while seeding: {response.status} {body}")
        return body["data"]


LOGIN = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { ... on AccessToken { accessToken } } }"


def made_up_password() -> str:
    """Strong enough for the password policy, new every run."""
    return "violet-anchor-" + secrets.token_urlsafe(12)


def seed_user(client: Client, label: str, items: int) -> dict:
    email = f"bench-{label}-{secrets.token_hex(4)}@example.com"
    password = made_up_password()
    client.gql(
        "mutation($i: SignupInput!) { signup(input: $i) { message } }",
        {"i": {"email": email, "password": password, "fullName": f"Bench {label}"}},
    )
    token = client.gql(LOGIN, {"e": email, "p": password})["login"]["accessToken"]
    token_at = time.monotonic()
    for n in range(items):
        client.gql(
            "mutation($i: CreateItemInput!) { createItem(input: $i) { id } }",
            {"i": {"title": f"Item {n}", "description": f"Seeded item number {n} for the benchmark"}},
            token,
        )
    return {"email": email, "password": password, "token": token, "token_at": token_at}


# Access tokens live 15 minutes (their sessions much longer) and a run takes
# about 25: a scenario starting with a token older than this signs in anew,
# so no scenario runs into the expiry. (The bench keeps its bearer tokens;
# it does not exercise the refresh cookie.)
TOKEN_MAX_AGE_SECS = 10 * 60


def fresh_tokens(port: int, users: dict) -> None:
    """Signs the seeded users in again where their token is getting old."""
    for user in (users["reader"], users["writer"]):
        if time.monotonic() - user.get("token_at", 0.0) > TOKEN_MAX_AGE_SECS:
            data = Client(port).gql(LOGIN, {"e": user["email"], "p": user["password"]})
            user["token"] = data["login"]["accessToken"]
            user["token_at"] = time.monotonic()
