#!/usr/bin/env python3
"""Print `--ignore ID` arguments for cargo-audit from deny.toml's [advisories].ignore.

deny.toml is the one reviewed list of accepted RustSec advisories (each with a reason
and an expiry, enforced by the policy tests); cargo-audit has no config of its own here,
so both tools honour exactly the same exceptions.
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ignores(path: Path = ROOT / "deny.toml") -> list[str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data.get("advisories", {}).get("ignore", []):
        out.append(entry if isinstance(entry, str) else entry["id"])
    return out


if __name__ == "__main__":
    print(" ".join(f"--ignore {i}" for i in ignores()))
    sys.exit(0)
