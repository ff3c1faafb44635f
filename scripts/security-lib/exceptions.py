#!/usr/bin/env python3
"""Every exception list of the pipeline, checked for a reason and an expiry.

    exceptions.py      # exit 1 naming each entry without a reason, without an expiry,
                       # expired, or expiring more than 90 days out

An accepted finding is a decision with a date on it: when it expires, the gate fails and a
person looks again (drop it, fix it, or renew it with a fresh reason). The lists:

  deny.toml [advisories].ignore   reason ending in "expires YYYY-MM-DD" (cargo-deny and,
                                  through advisory_ignores.py, cargo-audit)
  deny.toml [licenses].exceptions, [bans].skip/skip-tree   a reason each
  .trivyignore.yaml               statement + expired_at
  .secrets.baseline               is_secret: false + reason (audited false positives)
  zizmor.yml ignore:              a `# reason:` line above each entry, plus
                                  `# expires: YYYY-MM-DD` for each one
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MAX_DAYS = 90
EXPIRES_RE = re.compile(r"expires:? (\d{4}-\d{2}-\d{2})")


def expiry_problem(label: str, when, today: dt.date) -> str | None:
    if not when:
        return f"{label}: no expiry"
    try:
        date = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when)[:10])
    except ValueError:
        return f"{label}: expiry {when!r} is not a date"
    if date < today:
        return f"{label}: expired on {date}"
    if (date - today).days > MAX_DAYS:
        return f"{label}: expiry {date} is more than {MAX_DAYS} days out"
    return None


def deny_advisories(root: Path, today: dt.date) -> tuple[list[str], list[str]]:
    """(accepted advisory ids, problems) of deny.toml [advisories].ignore."""
    cfg = tomllib.loads((root / "deny.toml").read_text(encoding="utf-8"))
    ids, problems = [], []
    for e in cfg.get("advisories", {}).get("ignore", []):
        if isinstance(e, str):
            problems.append(f"deny.toml advisory {e}: no reason (write {{ id = ..., reason = ... }})")
            continue
        label = f"deny.toml advisory {e.get('id')}"
        reason = str(e.get("reason", ""))
        if len(reason) < 20:
            problems.append(f"{label}: no real reason")
        m = EXPIRES_RE.search(reason)
        p = expiry_problem(label, m and m.group(1), today)
        if p:
            problems.append(p)
        ids.append(str(e.get("id")))
    return ids, problems


def deny_other(root: Path) -> list[str]:
    cfg = tomllib.loads((root / "deny.toml").read_text(encoding="utf-8"))
    problems = []
    for e in cfg.get("licenses", {}).get("exceptions", []):
        if not str(e.get("reason", "")).strip():
            problems.append(f"deny.toml licence exception {e.get('name')}: no reason")
    for e in cfg.get("bans", {}).get("skip", []) + cfg.get("bans", {}).get("skip-tree", []):
        if isinstance(e, str) or not str(e.get("reason", "")).strip():
            problems.append(f"deny.toml bans skip {e}: no reason")
    return problems


def trivyignore(root: Path, today: dt.date) -> list[str]:
    data = yaml.safe_load((root / ".trivyignore.yaml").read_text(encoding="utf-8")) or {}
    problems = []
    for kind in ("vulnerabilities", "misconfigurations", "secrets", "licenses"):
        for e in data.get(kind) or []:
            label = f".trivyignore.yaml {kind} {e.get('id')}"
            if not str(e.get("statement", "")).strip():
                problems.append(f"{label}: no statement")
            p = expiry_problem(label, e.get("expired_at"), today)
            if p:
                problems.append(p)
    return problems


def secrets_baseline(root: Path) -> list[str]:
    data = json.loads((root / ".secrets.baseline").read_text(encoding="utf-8"))
    return [
        f".secrets.baseline {f}:{e.get('line_number')} {e['type']}: "
        + ("marked as a real secret" if e.get("is_secret") is not False else "no reason")
        for f, items in data["results"].items()
        for e in items
        if e.get("is_secret") is not False or len(str(e.get("reason", "")).strip()) < 10
    ]


def zizmor_ignores(root: Path, today: dt.date) -> list[str]:
    """Each `ignore:` entry needs `# reason:` and `# expires:` comment lines above it."""
    problems: list[str] = []
    in_ignore, reason, expires = False, False, None
    for n, line in enumerate((root / "zizmor.yml").read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if s.startswith("ignore:"):
            in_ignore, reason, expires = True, False, None
        elif in_ignore and s.startswith("# reason:"):
            reason = True
        elif in_ignore and s.startswith("# expires:"):
            m = EXPIRES_RE.search(s)
            expires = m and m.group(1)
        elif in_ignore and s.startswith("- "):
            label = f"zizmor.yml:{n} ignore {s[2:]}"
            if not reason:
                problems.append(f"{label}: no `# reason:` line above it")
            p = expiry_problem(label, expires, today)
            if p:
                problems.append(p)
            reason, expires = False, None
        elif in_ignore and s and not s.startswith("#"):
            in_ignore = False
    cfg = yaml.safe_load((root / "zizmor.yml").read_text(encoding="utf-8")) or {}
    disabled = [k for k, v in (cfg.get("rules") or {}).items() if (v or {}).get("disable")]
    problems += [f"zizmor.yml switches the whole {k} audit off" for k in disabled]
    return problems


def check(root: Path = ROOT, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    return (
        deny_advisories(root, today)[1]
        + deny_other(root)
        + trivyignore(root, today)
        + secrets_baseline(root)
        + zizmor_ignores(root, today)
    )


if __name__ == "__main__":
    found = check()
    for p in found:
        print(p)
    print(f"exceptions: {len(found)} problem(s) in deny.toml, .trivyignore.yaml, .secrets.baseline, zizmor.yml")
    sys.exit(1 if found else 0)
