#!/usr/bin/env python3
"""Base images of the Dockerfiles, and their upstream signatures.

    base_images.py list   DOCKERFILE...   # each base image and how it is trusted
    base_images.py verify DOCKERFILE...   # cosign verify every upstream-signed one (GitHub)

Reads FROM lines (build stages too) and the `# syntax=` frontend. Every base image must be
in base_image_signers.toml: signed ones are verified against the publisher's exact
identity before the build uses them; unsigned ones carry the reason they are accepted.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIGNERS = HERE / "base_image_signers.toml"
FROM_RE = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.I)
SYNTAX_RE = re.compile(r"^#\s*syntax=(\S+)")


def repository(ref: str) -> str:
    """docker.io-normalised repository of an image reference (no tag, no digest)."""
    name = ref.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    first = name.split("/", 1)[0]
    if "/" not in name:
        return f"docker.io/library/{name}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{name}"
    return name


def base_images(dockerfile: Path) -> list[str]:
    refs, stages = [], set()
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        m = SYNTAX_RE.match(line)
        if m:
            refs.append(m.group(1))
            continue
        m = FROM_RE.match(line)
        if m:
            if m.group(1) not in stages and m.group(1) != "scratch":
                refs.append(m.group(1))
            if m.group(2):
                stages.add(m.group(2))
    return refs


def signers() -> dict[str, dict]:
    return {e["repository"]: e for e in tomllib.loads(SIGNERS.read_text(encoding="utf-8"))["image"]}


def classify(paths: list[Path]) -> tuple[list[tuple[str, dict]], list[str]]:
    table, found, problems = signers(), [], []
    for path in paths:
        for ref in base_images(path):
            entry = table.get(repository(ref))
            if entry is None:
                problems.append(f"{path}: {ref}: not in {SIGNERS.name} (say whether and by whom it is signed)")
            elif not entry.get("signed") and len(str(entry.get("reason", ""))) < 20:
                problems.append(f"{SIGNERS.name}: {entry['repository']}: unsigned without a reason")
            elif entry.get("signed") and not (entry.get("certificate-identity") and entry.get("certificate-oidc-issuer")):
                problems.append(f"{SIGNERS.name}: {entry['repository']}: signed needs an exact identity and issuer")
            else:
                found.append((ref, entry))
    return found, problems


def verify(found: list[tuple[str, dict]]) -> list[str]:
    problems = []
    for ref, entry in found:
        if not entry.get("signed"):
            print(f"unsigned upstream, accepted: {ref} ({entry['reason']})")
            continue
        if "@sha256:" not in ref:
            problems.append(f"{ref}: verify a digest, never a tag")
            continue
        cmd = ["cosign", "verify", ref, "--certificate-identity", entry["certificate-identity"],
               "--certificate-oidc-issuer", entry["certificate-oidc-issuer"], "--output", "text"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            problems.append(f"{ref}: upstream signature NOT verified:\n{r.stderr.strip()}")
        else:
            print(f"signature verified: {ref} by {entry['certificate-identity']} ({entry['certificate-oidc-issuer']})")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] not in ("list", "verify"):
        print(__doc__, file=sys.stderr)
        return 2
    found, problems = classify([Path(p) for p in argv[2:]])
    if argv[1] == "list":
        for ref, e in found:
            print(f"{ref}: " + (f"signed by {e['certificate-identity']}" if e.get("signed") else f"unsigned ({e['reason']})"))
    else:
        problems += verify(found)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
