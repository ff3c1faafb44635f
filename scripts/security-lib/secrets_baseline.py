#!/usr/bin/env python3
"""Maintain .secrets.baseline (detect-secrets) without losing its audit.

    secrets_baseline.py update    # rescan git-tracked files with the baseline's filters;
                                  # keep `is_secret` and `reason` of entries still found,
                                  # add new entries unaudited, drop vanished ones
    secrets_baseline.py audit FILE HASH "reason"
                                  # mark one entry as a false positive with its reason

Every entry must end up with `"is_secret": false` and a `reason`: the policy tests
(test_policy.py) fail otherwise, so a new finding blocks until a person looks at it.
A real secret is never "audited": remove it from the code and rotate it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / ".secrets.baseline"
TOOLS_BIN = Path.home() / ".cache/rampart-tools/security/bin"


def _key(entry: dict) -> tuple[str, str, str]:
    return entry["filename"], entry["hashed_secret"], entry["type"]


def _filters(baseline: dict) -> list[str]:
    args: list[str] = []
    for f in baseline.get("filters_used", []):
        path = f.get("path", "")
        if path.endswith("should_exclude_file"):
            args += [a for p in f["pattern"] for a in ("--exclude-files", p)]
        elif path.endswith("should_exclude_line"):
            args += [a for p in f["pattern"] for a in ("--exclude-lines", p)]
        elif path.endswith("should_exclude_secret"):
            args += [a for p in f["pattern"] for a in ("--exclude-secrets", p)]
    return args


def update() -> int:
    old = json.loads(BASELINE.read_text(encoding="utf-8"))
    audited = {_key(e): e for items in old["results"].values() for e in items}
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    files = [f for f in files if f != ".secrets.baseline"]
    tool = TOOLS_BIN / "detect-secrets"
    cmd = [str(tool) if tool.exists() else "detect-secrets", "scan", *_filters(old), *files]
    new = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    unaudited = 0
    for items in new["results"].values():
        for e in items:
            prev = audited.get(_key(e))
            if prev and "reason" in prev:
                e["is_secret"] = prev.get("is_secret", False)
                e["reason"] = prev["reason"]
            else:
                unaudited += 1
                print(f"NEW (needs audit): {e['filename']}:{e['line_number']} {e['type']} {e['hashed_secret']}")
    new["generated_at"] = old.get("generated_at", new.get("generated_at"))
    BASELINE.write_text(json.dumps(new, indent=2) + "\n", encoding="utf-8")
    print(f"{BASELINE.name}: {sum(len(v) for v in new['results'].values())} entries, {unaudited} need an audit")
    return 0


def audit(filename: str, hashed: str, reason: str) -> int:
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    for e in data["results"].get(filename, []):
        if e["hashed_secret"].startswith(hashed):
            e["is_secret"] = False
            e["reason"] = reason
            BASELINE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            return 0
    print(f"no entry {filename} {hashed}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["update"]:
        sys.exit(update())
    if sys.argv[1:2] == ["audit"] and len(sys.argv) == 5:
        sys.exit(audit(*sys.argv[2:5]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
