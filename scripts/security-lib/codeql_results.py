#!/usr/bin/env python3
"""Fail on any CodeQL result: the analyze action uploads alerts but never fails a job.

    codeql_results.py DIR      # DIR holds the *.sarif files of github/codeql-action/analyze

Standard library only (it runs on a bare runner). An empty or missing DIR is an error:
an analysis that produced no SARIF proves nothing.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(directory: Path) -> int:
    files = sorted(directory.glob("*.sarif"))
    if not files:
        print(f"codeql-results: no SARIF in {directory}", file=sys.stderr)
        return 1
    found = 0
    for f in files:
        for run in json.loads(f.read_text(encoding="utf-8")).get("runs", []):
            for r in run.get("results", []):
                found += 1
                loc = (r.get("locations") or [{}])[0].get("physicalLocation", {})
                uri = loc.get("artifactLocation", {}).get("uri", "?")
                line = loc.get("region", {}).get("startLine", 1)
                print(f"::error file={uri},line={line}::{r.get('ruleId')}: {r.get('message', {}).get('text', '')}")
    print(f"CodeQL results: {found} in {len(files)} file(s)")
    return 1 if found else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
