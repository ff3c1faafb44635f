#!/usr/bin/env python3
"""Print `--ignore ID` arguments for cargo-audit from deny.toml's [advisories].ignore.

deny.toml is the one reviewed list of accepted RustSec advisories; cargo-audit has no
config of its own here, so both tools honour exactly the same exceptions. An entry
without a reason, without an expiry, expired, or more than 90 days out is refused: the
helper prints the problems and exits 1, so the cargo-audit gate fails on GitHub as it
does offline instead of silently passing an expired id along.
"""
from __future__ import annotations

import sys
from pathlib import Path

from exceptions import deny_advisories

ROOT = Path(__file__).resolve().parents[2]


def main(root: Path = ROOT) -> int:
    import datetime as dt

    ids, problems = deny_advisories(root, dt.date.today())
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print("advisory_ignores: fix deny.toml [advisories].ignore (docs/security-pipeline.md)", file=sys.stderr)
        return 1
    print(" ".join(f"--ignore {i}" for i in ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
