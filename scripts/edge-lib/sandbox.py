"""Run a program under the restrictions compose.yml declares for its service.

There is no container engine here, so the live stack test rebuilds what
Docker would do from the same declarations and fails when they are not
enough for the program to run (a file compose forgot to make writable, a
user that cannot read what it needs):

  * compose `read_only: true`   -> the whole root file system bound read-only
                                   (bubblewrap, `--ro-bind / /`)
  * compose `tmpfs:` entries    -> exactly those writable tmpfs mounts, with
                                   their size and mode; nothing else writable
                                   but /dev and /proc, as in a container
  * the Dockerfile's `USER`     -> that numeric UID/GID, no supplementary
                                   groups (setpriv); compose's `user` must agree
  * compose `cap_drop: [ALL]`   -> empty permitted, effective, inheritable,
                                   ambient and bounding sets (setpriv)
  * `no-new-privileges:true`    -> PR_SET_NO_NEW_PRIVS (bubblewrap sets it for
                                   every sandbox; setpriv sets it again)
  * the image's files           -> bound read-only at the image's paths
                                   (/usr/local/bin/api, /etc/nginx/nginx.conf,
                                   /usr/share/nginx/html)

bubblewrap runs as root without a user namespace, like Docker without
userns-remap: the program's UID is the host's UID, so the kernel checks the
real credentials. The root file system is the host's (read-only), not the
image's: what the image ships is proven by the Dockerfile policy and by the
linked-libraries check, not here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
# Writable in every container whatever compose says (Docker mounts a private
# /dev tmpfs and /proc); everything else must be a declared tmpfs.
ALWAYS_WRITABLE = ("/dev", "/proc")


@dataclass(frozen=True)
class Tmpfs:
    path: str
    size_bytes: int
    mode: int


@dataclass(frozen=True)
class Confinement:
    service: str
    uid: int
    gid: int
    read_only: bool
    tmpfs: tuple[Tmpfs, ...] = field(default_factory=tuple)
    no_new_privileges: bool = True


_SIZE_RE = re.compile(r"^(\d+)([kmg]?)b?$", re.I)


def _size(text: str) -> int:
    match = _SIZE_RE.match(text.strip())
    if not match:
        raise ValueError(f"tmpfs size {text!r} not understood")
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]


def parse_tmpfs(entry: str) -> Tmpfs:
    """compose's short tmpfs syntax: /path[:size=16m,mode=1777,...]."""
    path, _, opts = str(entry).partition(":")
    options = dict(o.split("=", 1) if "=" in o else (o, "") for o in opts.split(",") if o)
    if "size" not in options:
        raise ValueError(f"tmpfs {entry!r} has no size (compose policy requires one)")
    return Tmpfs(path=path, size_bytes=_size(options["size"]), mode=int(options.get("mode", "1777"), 8))


def dockerfile_user(text: str) -> tuple[int, int]:
    """The numeric UID:GID of the final stage's last USER."""
    final = re.split(r"^FROM\s", text, flags=re.M)[-1]
    users = re.findall(r"^USER\s+(\S+)\s*$", final, re.M)
    if not users or not re.fullmatch(r"\d+:\d+", users[-1]):
        raise ValueError(f"the final stage has no numeric USER uid:gid ({users})")
    uid, gid = users[-1].split(":")
    return int(uid), int(gid)


def from_compose(compose: dict, service: str, dockerfile_text: str) -> Confinement:
    svc = (compose.get("services") or {}).get(service)
    if svc is None:
        raise ValueError(f"compose.yml has no service {service}")
    uid, gid = dockerfile_user(dockerfile_text)
    if str(svc.get("user")) != f"{uid}:{gid}":
        raise ValueError(f"service {service}: compose user {svc.get('user')!r} is not the Dockerfile's USER {uid}:{gid}")
    if svc.get("cap_drop") != ["ALL"] or svc.get("cap_add"):
        # Only the shape the policy allows for application services is modelled.
        raise ValueError(f"service {service}: cap_drop {svc.get('cap_drop')} / cap_add {svc.get('cap_add')} is not [ALL] / none")
    tmpfs = svc.get("tmpfs") or []
    tmpfs = [tmpfs] if isinstance(tmpfs, str) else tmpfs
    return Confinement(
        service=service,
        uid=uid,
        gid=gid,
        read_only=svc.get("read_only") is True,
        tmpfs=tuple(parse_tmpfs(t) for t in tmpfs),
        no_new_privileges="no-new-privileges:true" in (svc.get("security_opt") or []),
    )


def command(conf: Confinement, argv: list[str], binds: dict[str, Path] | None = None,
            info_fd: int | None = None) -> list[str]:
    """bwrap + setpriv argv that runs `argv` confined as `conf` says.
    `binds` maps a path inside (the image's) to a file or folder here."""
    cmd = [BWRAP, "--die-with-parent", "--unshare-ipc", "--unshare-uts", "--hostname", conf.service,
           "--ro-bind" if conf.read_only else "--bind", "/", "/",
           "--dev", "/dev", "--proc", "/proc"]
    for t in conf.tmpfs:
        cmd += ["--size", str(t.size_bytes), "--perms", f"{t.mode:04o}", "--tmpfs", t.path]
    # A bound file needs a mount point. Where the host has none (the image's
    # /usr/local/bin/api), its folder becomes an empty tmpfs, holding only
    # what is bound into it, and is then made read-only again.
    holders = []
    for inside in binds or {}:
        if not Path(inside).exists():
            holder = Path(inside).parent
            while not holder.exists():
                holder = holder.parent
            if str(holder) not in holders:
                holders.append(str(holder))
                cmd += ["--tmpfs", str(holder)]
    for inside, outside in (binds or {}).items():
        cmd += ["--ro-bind", str(outside), inside]
    for holder in holders:
        cmd += ["--remount-ro", holder]
    cmd += ["--chdir", "/"]
    if info_fd is not None:
        cmd += ["--info-fd", str(info_fd)]
    cmd += ["--", SETPRIV, f"--reuid={conf.uid}", f"--regid={conf.gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all"]
    if conf.no_new_privileges:
        cmd.append("--no-new-privs")
    return cmd + ["--", *argv]


class Confined:
    """A confined program started in the background. `pid` is the program's
    own PID (bubblewrap's child), so a SIGTERM reaches the program itself,
    as `docker stop` does."""

    def __init__(self, name: str, conf: Confinement, argv: list[str], env: dict, log_path: Path,
                 binds: dict[str, Path] | None = None):
        self.name, self.conf = name, conf
        read_fd, write_fd = os.pipe()
        with log_path.open("ab") as log:
            # nginx reopens /dev/stdout by path: the file must be the user's.
            if os.geteuid() == 0:
                os.chown(log_path, conf.uid, conf.gid)
            self.bwrap = subprocess.Popen(command(conf, argv, binds, info_fd=write_fd), env=env, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, pass_fds=(write_fd,))
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as info:
            raw = info.read()
        try:
            self.pid = int(json.loads(raw.decode() or "{}")["child-pid"])
        except (ValueError, KeyError) as exc:
            self.bwrap.wait(timeout=10)
            raise RuntimeError(f"{name}: bubblewrap did not start the program (exit {self.bwrap.returncode})") from exc

    def poll(self):
        return self.bwrap.poll()

    @property
    def returncode(self):
        return self.bwrap.returncode

    def terminate(self) -> None:
        if self.bwrap.poll() is None:
            try:
                os.kill(self.pid, 15)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.bwrap.kill()  # --die-with-parent takes the program with it

    def wait(self, timeout: float | None = None) -> int:
        return self.bwrap.wait(timeout=timeout)


# ---------------------------------------------------------------------------
# What the kernel says about a running confined process
# ---------------------------------------------------------------------------

def process_status(pid: int) -> dict[str, str]:
    status = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        status[key] = value.strip()
    return status


def writable_mounts(pid: int) -> list[str]:
    """Mount points the process sees as writable (per-mount `rw`)."""
    out = []
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        fields = line.split()
        mount_point, options = fields[4], fields[5].split(",")
        if "rw" in options:
            out.append(mount_point.replace("\\040", " "))
    return out


def violations(pid: int, conf: Confinement) -> list[str]:
    """Where the running process is less confined than compose declares."""
    out = []
    status = process_status(pid)
    ids = {"Uid": conf.uid, "Gid": conf.gid}
    for key, want in ids.items():
        got = {int(v) for v in status.get(key, "").split()}
        if got != {want}:
            out.append(f"{key} {status.get(key)!r}, expected {want} (real, effective, saved, fs)")
    if status.get("Groups", ""):
        out.append(f"supplementary groups {status['Groups']!r}")
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status.get(key, "1"), 16) != 0:
            out.append(f"{key} {status.get(key)} is not empty")
    if conf.no_new_privileges and status.get("NoNewPrivs") != "1":
        out.append("no_new_privs is not set")
    declared = {t.path for t in conf.tmpfs}
    for mount in writable_mounts(pid):
        if mount in declared or any(mount == p or mount.startswith(p + "/") for p in ALWAYS_WRITABLE):
            continue
        if not conf.read_only and mount == "/":
            continue
        out.append(f"{mount} is writable but compose declares no tmpfs there")
    for path in declared - set(writable_mounts(pid)):
        out.append(f"declared tmpfs {path} is not mounted writable")
    return out
