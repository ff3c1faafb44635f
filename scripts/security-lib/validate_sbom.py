#!/usr/bin/env python3
"""Validate CycloneDX JSON SBOMs against the official CycloneDX schema.

    validate_sbom.py FILE.cdx.json [...]

Uses cyclonedx-python-lib's bundled schemas (installed by scripts/install-security), so it
needs no network. The spec version is read from each file. A file that is not valid,
or that lists no component at all, fails.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator


def validate(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    if doc.get("bomFormat") != "CycloneDX":
        return [f"{path}: bomFormat is not CycloneDX"]
    version = SchemaVersion.from_version(doc.get("specVersion", ""))
    error = JsonStrictValidator(version).validate_str(text)
    problems = [f"{path}: {error}"] if error else []
    if not doc.get("components"):
        problems.append(f"{path}: no components listed")
    return problems


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv[1:] if Path(a).is_file()]
    if not files:
        print("validate_sbom: no SBOM produced", file=sys.stderr)
        return 1
    problems: list[str] = []
    for path in files:
        found = validate(path)
        problems += found
        if not found:
            n = len(json.loads(path.read_text(encoding="utf-8")).get("components", []))
            print(f"{path.name}: valid CycloneDX, {n} components")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
