"""The live stack's API replicas, jobs and SPA server, each started under the
restrictions compose.yml declares for its service (sandbox.py), with the
image's files at the image's paths."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

import sandbox

REPO = Path(__file__).resolve().parents[2]
API_IN_IMAGE = "/usr/local/bin/api"
# Debian's nginx binary; the image's is Alpine's build of the same release line.
NGINX = "/usr/sbin/nginx"


@dataclass
class Confinements:
    compose: dict
    api: dict[str, sandbox.Confinement]   # api-1, api-2, migrate, create-superuser
    web: sandbox.Confinement


def load() -> Confinements:
    compose = yaml.safe_load((REPO / "compose.yml").read_text(encoding="utf-8"))
    api_dockerfile = (REPO / "api/Dockerfile").read_text(encoding="utf-8")
    web_dockerfile = (REPO / "web/Dockerfile").read_text(encoding="utf-8")
    names = [n for n in compose["services"] if re.fullmatch(r"api-\d+", n)] + ["migrate", "create-superuser"]
    return Confinements(
        compose=compose,
        api={n: sandbox.from_compose(compose, n, api_dockerfile) for n in names},
        web=sandbox.from_compose(compose, "web", web_dockerfile),
    )


def run_job(conf: sandbox.Confinement, api_bin: Path, args: list[str], env: dict, timeout: float = 120) -> None:
    """A one-shot API command (migrate, create-superuser, prestart), confined."""
    cmd = sandbox.command(conf, [API_IN_IMAGE, *args], {API_IN_IMAGE: api_bin})
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"api {' '.join(args)} (as compose's {conf.service}) failed with {proc.returncode}: "
                           f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}")


def start_api(conf: sandbox.Confinement, api_bin: Path, env: dict, log_path: Path) -> sandbox.Confined:
    return sandbox.Confined(conf.service, conf, [API_IN_IMAGE, "serve"], env, log_path, {API_IN_IMAGE: api_bin})


def spa_conf_on_port(workdir: Path, port: int) -> Path:
    """nginx/spa.conf exactly as the image installs it, but for its listen
    port (8080 may be taken on a shared machine). /tmp stays /tmp: the
    sandbox gives it compose's tmpfs."""
    text = (REPO / "nginx/spa.conf").read_text(encoding="utf-8")
    text, count = re.subn(r"(^\s*listen\s+)8080;", rf"\g<1>127.0.0.1:{port};", text, flags=re.M)
    if count != 1:
        raise RuntimeError("nginx/spa.conf no longer has exactly one `listen 8080;`")
    path = workdir / f"spa-{port}.conf"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o444)
    return path


def start_web(conf: sandbox.Confinement, conf_file: Path, html: Path, log_path: Path) -> sandbox.Confined:
    # -e stderr: the image links its compiled-in error log to /dev/stderr;
    # Debian's build would open /var/log/nginx/error.log before the config.
    return sandbox.Confined("web", conf, [NGINX, "-e", "stderr", "-g", "daemon off;"], {"PATH": "/usr/sbin:/usr/bin:/bin"},
                            log_path, {"/etc/nginx/nginx.conf": conf_file, "/usr/share/nginx/html": html})


def web_fails_without(conf: sandbox.Confinement, conf_file: Path, html: Path, log_path: Path) -> str:
    """Starts nginx with compose's tmpfs taken away and returns what it said
    while failing; raises if it kept running (the sandbox would prove nothing)."""
    bare = sandbox.Confinement(conf.service, conf.uid, conf.gid, conf.read_only, (), conf.no_new_privileges)
    proc = start_web(bare, conf_file, html, log_path)
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)
        raise AssertionError("nginx ran without a writable /tmp: the sandbox does not enforce read_only")
    return log_path.read_text(encoding="utf-8", errors="replace")
