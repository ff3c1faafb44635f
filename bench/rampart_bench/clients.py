"""Paced GraphQL clients for the robustness scenarios, where wrk's closed
loop at full speed is the wrong shape: a client that logs in every 10 s,
333 clients with their own address sending 20 logins each, a burst of 500
from 25 source addresses, a soak at a set rate. Threads and http.client
(standard library): the rates are at most a few hundred per second, and
every answer is kept with its time, status and GraphQL error code."""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
from dataclasses import dataclass

from .server import LOGIN


@dataclass
class Answer:
    kind: str       # login, me, items, create
    sent: float     # seconds since the scenario's start
    seconds: float  # until the whole answer was read
    status: int     # HTTP status; 0 when the client timed out, -1 on a socket error
    code: str | None = None  # the first GraphQL error's extensions.code
    retry_after: bool = False

    @property
    def outcome(self) -> str:
        if self.status == 200 and self.code is None:
            return "ok"
        if self.status == 429:
            return "shed"
        if self.status == 503:
            return "unavailable"
        if self.status == 0:
            return "timeout"
        return "error"


def body(kind: str, users: dict) -> tuple[bytes, str | None]:
    """The request body and bearer token of one request kind."""
    reader, writer = users["reader"], users["writer"]
    if kind == "login":
        doc = {"query": LOGIN, "variables": {"e": reader["email"], "p": reader["password"]}}
        return json.dumps(doc).encode(), None
    if kind == "me":
        return b'{"query":"{ me { id email } }"}', reader["token"]
    if kind == "items":
        return (b'{"query":"{ items(offset: 0, limit: 100) { totalCount nodes { id title description createdAt } } }"}',
                reader["token"])
    if kind == "create":
        return (b'{"query":"mutation { createItem(input: {title: \\"soak item\\", description: \\"made by the soak\\"}) { id } }"}',
                writer["token"])
    raise ValueError(kind)


class Conn:
    """One keep-alive connection, optionally from its own source address
    (127.0.0.0/8 is all loopback) or claiming one in X-Forwarded-For."""

    def __init__(self, port: int, source: str | None = None, forwarded_for: str | None = None,
                 timeout: float = 15.0):
        self.port, self.source, self.timeout = port, source, timeout
        self.base_headers = {"Content-Type": "application/json"}
        if forwarded_for:
            self.base_headers["X-Forwarded-For"] = forwarded_for
        self.http = self._new()
        self.used = False

    def _new(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                          source_address=(self.source, 0) if self.source else None)

    def connect(self) -> None:
        self.http.connect()

    def post(self, kind: str, payload: bytes, token: str | None, t0: float) -> Answer:
        headers = dict(self.base_headers)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        began = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.http.request("POST", "/graphql", payload, headers)
                response = self.http.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while it was
                # idle: reconnect once, as any HTTP client does.
                self.http.close()
                self.http = self._new()
                if attempt == 2 or not self.used:
                    return Answer(kind, began - t0, time.perf_counter() - began, -1)
                began = time.perf_counter()
            except socket.timeout:
                self.http.close()
                self.http = self._new()
                return Answer(kind, began - t0, time.perf_counter() - began, 0)
            except (OSError, http.client.HTTPException):
                self.http.close()
                self.http = self._new()
                return Answer(kind, began - t0, time.perf_counter() - began, -1)
        self.used = True
        answer = Answer(kind, began - t0, time.perf_counter() - began, response.status,
                        retry_after=response.getheader("Retry-After") is not None)
        if response.status != 200 or b'"errors"' in data:
            answer.code = error_code(data)
        if response.getheader("Connection", "").lower() == "close":
            self.http.close()
            self.http = self._new()
        return answer

    def close(self) -> None:
        self.http.close()


def error_code(data: bytes) -> str:
    try:
        errors = json.loads(data).get("errors") or [{}]
        return str(errors[0].get("extensions", {}).get("code", "no code"))
    except (ValueError, AttributeError, IndexError):
        return "not JSON"


def sleep_until(deadline: float) -> None:
    delay = deadline - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


def run_threads(targets: list) -> None:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summarize(answers: list[Answer]) -> dict:
    """Counts by outcome, latencies of the served and the shed, a sample of
    anything that was neither, and whether every 429 carried Retry-After."""
    by = {k: [a for a in answers if a.outcome == k] for k in ("ok", "shed", "unavailable", "timeout", "error")}
    ok_ms = [a.seconds * 1000 for a in by["ok"]]
    shed_ms = [a.seconds * 1000 for a in by["shed"]]
    odd = by["error"] + by["unavailable"] + by["timeout"]
    return {
        "sent": len(answers),
        **{k: len(v) for k, v in by.items()},
        "shed_without_retry_after": sum(1 for a in by["shed"] if not a.retry_after),
        "shed_codes": sorted({a.code or "none" for a in by["shed"]}),
        "ok_p50_ms": percentile(ok_ms, 50), "ok_p99_ms": percentile(ok_ms, 99),
        "ok_max_ms": max(ok_ms, default=0.0),
        "shed_p50_ms": percentile(shed_ms, 50), "shed_p99_ms": percentile(shed_ms, 99),
        "other_sample": [f"{a.kind} {a.status} {a.code}" for a in odd[:3]],
        "ok_mean_ms": statistics.fmean(ok_ms) if ok_ms else 0.0,
    }
