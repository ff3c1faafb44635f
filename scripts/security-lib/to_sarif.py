#!/usr/bin/env python3
"""Turn the JSON report of a tool without SARIF output into SARIF 2.1.0.

Used by .github/workflows/security.yml so that every gate uploads its findings to code
scanning under its own category, even the tools that only speak JSON:

    to_sarif.py cargo-audit  audit.json      > cargo-audit.sarif
    to_sarif.py npm-audit    npm-audit.json  > npm-audit.sarif
    to_sarif.py actionlint   actionlint.json > actionlint.sarif

Reporting only: the gate itself is the tool's own exit code in the step before.
Standard library only, so it runs on a bare runner.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Iterable

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _result(rule: str, message: str, uri: str, line: int = 1, level: str = "error") -> dict[str, Any]:
    return {
        "ruleId": rule,
        "level": level,
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": max(int(line or 1), 1)},
                }
            }
        ],
    }


def cargo_audit(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for vuln in report.get("vulnerabilities", {}).get("list", []):
        adv, pkg = vuln.get("advisory", {}), vuln.get("package", {})
        yield _result(
            adv.get("id", "RUSTSEC"),
            f"{pkg.get('name')} {pkg.get('version')}: {adv.get('title', '')} "
            f"(patched: {', '.join(vuln.get('versions', {}).get('patched', [])) or 'none'})",
            "Cargo.lock",
        )
    for kind, items in (report.get("warnings") or {}).items():
        for warn in items:
            adv, pkg = warn.get("advisory") or {}, warn.get("package", {})
            yield _result(
                adv.get("id", f"cargo-audit-{kind}"),
                f"{pkg.get('name')} {pkg.get('version')}: {kind} {adv.get('title', '')}".strip(),
                "Cargo.lock",
                level="warning",
            )


def npm_audit(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for name, vuln in (report.get("vulnerabilities") or {}).items():
        sources = [v for v in vuln.get("via", []) if isinstance(v, dict)]
        for src in sources or [{}]:
            yield _result(
                str(src.get("source") or src.get("url") or f"npm-{name}"),
                f"{name} ({vuln.get('severity')}): {src.get('title', 'vulnerable dependency')} "
                f"range {vuln.get('range', '?')}",
                "web/package-lock.json",
                level="error" if vuln.get("severity") in ("high", "critical") else "warning",
            )


def actionlint(report: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for err in report or []:
        yield _result(
            f"actionlint/{err.get('kind', 'error')}",
            err.get("message", ""),
            err.get("filepath", ".github/workflows"),
            err.get("line", 1),
        )


CONVERTERS = {"cargo-audit": cargo_audit, "npm-audit": npm_audit, "actionlint": actionlint}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in CONVERTERS:
        print(f"usage: {argv[0]} {{{'|'.join(CONVERTERS)}}} REPORT.json", file=sys.stderr)
        return 2
    tool, path = argv[1], argv[2]
    with open(path, encoding="utf-8") as fh:
        text = fh.read().strip()
    report = json.loads(text) if text else ([] if tool == "actionlint" else {})
    results = list(CONVERTERS[tool](report))
    rules = sorted({r["ruleId"] for r in results})
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": tool, "rules": [{"id": r} for r in rules]}},
                "results": results,
            }
        ],
    }
    json.dump(sarif, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
