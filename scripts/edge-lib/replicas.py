"""Two API replicas on one database behind Traefik: the checks that only hold
if every piece of security state lives in PostgreSQL, and a rolling restart
under load that must lose no request.

Cross-replica checks talk to each replica directly (plain HTTP on its own
loopback port) so that the test, not Traefik's round robin, decides which
replica answers each attempt; the client address is set with
X-Forwarded-For, as Traefik sets it (TRUST_FORWARDED_FOR=true), and every
check uses its own documentation-range address so budgets do not mix.
The rolling restart goes through Traefik, as a client would.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LOGIN = "mutation L($input: LoginInput!) { login(input: $input) { ... on AccessToken { accessToken } } }"
SIGNUP = "mutation S($input: SignupInput!) { signup(input: $input) { message } }"
CHANGE = "mutation C($input: ChangePasswordInput!) { changePassword(input: $input) { message } }"
ME = "{ me { email } }"


def codes(doc: dict) -> list[str]:
    return [((e.get("extensions") or {}).get("code") or "?") for e in doc.get("errors") or []]


class Replica:
    """One API process, addressed directly."""

    def __init__(self, name: str, port: int, log_path: Path):
        self.name, self.port, self.log_path = name, port, log_path

    def graphql(self, query: str, variables: dict | None = None, *, token: str | None = None,
                ip: str | None = None) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if ip:
            headers["X-Forwarded-For"] = ip
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request("POST", "/graphql", json.dumps({"query": query, "variables": variables or {}}), headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        doc = json.loads(body or b"{}")
        # A rate limit that stopped the request is a 429 with Retry-After;
        # any other status here is a failure.
        limited = response.status == 429 and codes(doc) == ["RATE_LIMITED"] and response.getheader("Retry-After")
        if response.status != 200 and not limited:
            raise AssertionError(f"{self.name}: HTTP {response.status}: {body[:200]!r}")
        return json.loads(body)

    def login(self, email: str, password: str, ip: str) -> dict:
        return self.graphql(LOGIN, {"input": {"email": email, "password": password}}, ip=ip)

    def served(self) -> int:
        """Responses this replica has logged so far (one JSON line each)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return 0
        return sum(1 for line in text.splitlines() if '"message":"response"' in line and '"/graphql"' in line)


def token_of(doc: dict) -> str:
    token = ((doc.get("data") or {}).get("login") or {}).get("accessToken")
    assert token, f"no token: {doc}"
    return token


def signup(replica: Replica, ip: str, label: str) -> tuple[str, str]:
    email = f"{label}-{secrets.token_hex(4)}@rampart.test"
    password = f"Cobalt-harbour-{secrets.token_hex(6)}"
    doc = replica.graphql(SIGNUP, {"input": {"email": email, "password": password}}, ip=ip)
    assert (doc.get("data") or {}).get("signup"), f"signup failed: {doc}"
    return email, password


# ---------------------------------------------------------------------------
# Security state shared through the database
# ---------------------------------------------------------------------------

def check_login_backoff(a: Replica, b: Replica, *, after_failures: int, admin_token: str) -> None:
    """Failures spread over both replicas add up to one backoff: the account
    locks on the N-th failure wherever it lands, and then the right password
    is refused on the replica that saw fewer than N."""
    ip = "192.0.2.10"
    email, password = signup(a, ip, "backoff")
    assert token_of(b.login(email, password, ip)), "the fresh account cannot log in"
    for attempt in range(after_failures):
        replica = (a, b)[attempt % 2]
        doc = replica.login(email, f"wrong-{attempt}-{password}", ip)
        assert codes(doc) == ["UNAUTHENTICATED"], f"failure {attempt + 1} on {replica.name}: {doc}"
    seen_by_b = after_failures // 2
    assert seen_by_b < after_failures
    doc = b.login(email, password, ip)
    assert codes(doc) == ["UNAUTHENTICATED"], (
        f"{b.name} saw {seen_by_b} of {after_failures} failures and let the right password in: {doc}")
    # The refusal is the backoff (audited as "throttled"), not a wrong password.
    events = a.graphql("{ auditEvents(limit: 5) { nodes { kind subjectEmail detail } } }", token=admin_token)
    mine = [e for e in events["data"]["auditEvents"]["nodes"] if e["subjectEmail"] == email]
    assert mine and mine[0]["kind"] == "login.failed" and mine[0]["detail"] == "throttled", mine[:2]


def check_ip_limit(a: Replica, b: Replica, *, per_minute: int) -> None:
    """One address's attempts are counted once, whichever replica takes them,
    even when both take them at the same time: exactly `per_minute` get an
    answer and the rest are RATE_LIMITED."""
    ip = "192.0.2.20"
    extra = 6
    results: list[list[str]] = []
    lock = threading.Lock()

    def attempt(replica: Replica, n: int) -> None:
        doc = replica.login(f"nobody-{n}@rampart.test", "Not-the-password-1", ip)
        with lock:
            results.append(codes(doc))

    # Two clients per replica: concurrent on both, but no more hashes at once
    # than the replicas' hash permits, so nothing else is measured.
    jobs = [((a, b)[n % 2], n) for n in range(per_minute + extra)]
    threads = [threading.Thread(target=lambda chunk=jobs[i::4]: [attempt(r, n) for r, n in chunk]) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == per_minute + extra, f"{len(results)} answers"
    answered = sum(1 for c in results if c == ["UNAUTHENTICATED"])
    limited = sum(1 for c in results if c == ["RATE_LIMITED"])
    assert (answered, limited) == (per_minute, extra), (
        f"{answered} answered, {limited} limited; expected {per_minute} and {extra} ({sorted(map(tuple, results))[:3]})")
    # Still limited on both afterwards.
    for replica in (a, b):
        doc = replica.login("nobody@rampart.test", "Not-the-password-1", ip)
        assert codes(doc) == ["RATE_LIMITED"], f"{replica.name}: {doc}"
        assert (doc["errors"][0].get("extensions") or {}).get("retryAfter", 0) >= 1, doc


def check_revocation(a: Replica, b: Replica) -> None:
    """A password change through one replica ends the account's other
    sessions on the other at once (the next request, no cache to expire);
    the session that changed it is kept (keepCurrentSession defaults to true)."""
    ip = "192.0.2.30"
    email, password = signup(a, ip, "revoke")
    token = token_of(a.login(email, password, ip))
    other_device = token_of(b.login(email, password, ip))
    doc = b.graphql(ME, token=token)
    assert (doc.get("data") or {}).get("me", {}).get("email") == email, f"token not accepted on {b.name}: {doc}"
    new_password = f"Saffron-lattice-{secrets.token_hex(6)}"
    doc = a.graphql(CHANGE, {"input": {"currentPassword": password, "newPassword": new_password}}, token=token, ip=ip)
    assert (doc.get("data") or {}).get("changePassword"), f"password change failed: {doc}"
    for replica in (b, a):
        doc = replica.graphql(ME, token=other_device)
        assert codes(doc) == ["UNAUTHENTICATED"], f"revoked session still works on {replica.name}: {doc}"
    doc = b.graphql(ME, token=token)
    assert (doc.get("data") or {}).get("me", {}).get("email") == email, f"kept session refused on {b.name}: {doc}"
    assert codes(b.login(email, password, ip)) == ["UNAUTHENTICATED"], "the old password still works"
    fresh = token_of(b.login(email, new_password, ip))
    assert (a.graphql(ME, token=fresh).get("data") or {}).get("me", {}).get("email") == email


# ---------------------------------------------------------------------------
# Load through Traefik
# ---------------------------------------------------------------------------

class _LoopbackTLS(http.client.HTTPSConnection):
    """TLS to Traefik on loopback with the real host name for SNI and Host."""

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


@dataclass
class Load:
    """Steady GraphQL traffic through Traefik: `clients` keep-alive
    connections, each sending a signed-in `me` query every `period` seconds
    (it reads the database: the token's user). Every answer must be 200 with
    the expected e-mail and no error."""

    domain: str
    port: int
    cafile: Path
    token: str
    email: str
    clients: int = 3
    period: float = 0.03
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _client(self) -> None:
        context = ssl.create_default_context(cafile=str(self.cafile))
        body = json.dumps({"query": ME})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        conn = None
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if conn is None:
                    conn = _LoopbackTLS(self.domain, self.port, context=context, timeout=15)
                conn.request("POST", "/graphql", body, headers)
                response = conn.getresponse()
                raw = response.read()
                try:
                    doc = json.loads(raw or b"{}")
                except ValueError:
                    doc = {}
                email = ((doc.get("data") or {}).get("me") or {}).get("email")
                if response.status != 200 or email != self.email or doc.get("errors"):
                    self._fail(f"HTTP {response.status}: {raw[:160]!r}")
                else:
                    with self._lock:
                        self.ok += 1
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                self._fail(f"{type(exc).__name__}: {exc}")
                if conn is not None:
                    conn.close()
                conn = None
            self._stop.wait(max(0.0, self.period - (time.monotonic() - started)))
        if conn is not None:
            conn.close()

    def _fail(self, what: str) -> None:
        with self._lock:
            self.failures.append(f"{time.strftime('%H:%M:%S')} {what}")

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=20)

    def total(self) -> int:
        with self._lock:
            return self.ok + len(self.failures)


def wait_for(what: str, probe, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def rolling_restart(load: Load, replicas: list[Replica], stop, start, *, down_for: float) -> dict:
    """SIGTERM each replica in turn under steady load, keep it down long
    enough for Traefik's health check to notice (`down_for`), start it again,
    and wait until Traefik sends it traffic before the next one goes.
    `stop(name)` returns the exit status, `start(name)` returns once the
    process listens. Returns the figures; raises on any lost request."""
    figures: dict = {}
    load.start()
    try:
        wait_for("the first answers under load", lambda: load.ok >= 30, timeout=20)
        for replica in replicas:
            started = time.monotonic()
            status = stop(replica.name)
            assert status == 0, f"{replica.name} exited with status {status} after SIGTERM (not a clean shutdown)"
            stopped_in = time.monotonic() - started
            time.sleep(down_for)
            start(replica.name)
            before = replica.served()
            readmitted_in = wait_for(f"Traefik to send {replica.name} traffic again",
                                     lambda: replica.served() >= before + 10, timeout=20)
            figures[replica.name] = {"stopped_in_s": round(stopped_in, 2), "readmitted_in_s": round(readmitted_in, 2)}
        time.sleep(1)
    finally:
        load.stop()
    figures["requests"] = load.total()
    figures["failed"] = len(load.failures)
    assert not load.failures, f"{len(load.failures)} of {load.total()} requests failed: {load.failures[:5]}"
    assert load.ok >= 200, f"only {load.ok} requests answered: the load did not run"
    return figures
