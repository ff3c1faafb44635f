#!/usr/bin/env python3
"""The tool-version manifest (scripts/tool-versions.env) and the check that keeps it the
only place where a version is pinned.

    tool_versions.py check          # exit 1, naming each stray or drifting pin
    tool_versions.py get NAME       # print one value (for scripts without a shell parser)

Dependabot sees Cargo.lock, package-lock.json, Dockerfile digests and action SHAs; it does
not see the versions our scripts install, the checksums of downloaded binaries or the
pre-commit hook revisions. Those live in the manifest, so a stale or vulnerable pin shows
in one file. Copies that cannot read the file (a Dockerfile ARG or FROM tag, a pre-commit
`rev:`) must equal it; the scripts and workflows must not pin anything themselves.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "scripts/tool-versions.env"
LINE_RE = re.compile(r"^([A-Z][A-Z0-9_]*)=([^\s\"'$`\\]+)$")
SEMVER = r"(?<![\d.])\d+\.\d+\.\d+(?![\d.])"

# Remote pre-commit hook repositories: the manifest entries of their commit and version.
HOOK_REPOS = {
    "https://github.com/Yelp/detect-secrets": ("DETECT_SECRETS_HOOK_REV", "DETECT_SECRETS_VERSION"),
    "https://github.com/adrienverge/yamllint": ("YAMLLINT_HOOK_REV", "YAMLLINT_VERSION"),
}

# Literal pins in shell scripts: each must be spelled with a manifest variable instead.
SCRIPT_PINS = [
    (re.compile(rf"^\s*(?:export\s+|readonly\s+|local\s+)?([A-Z][A-Z0-9_]*(?:VERSION|SHA256))=[\"']?(?:v?{SEMVER}|[0-9a-f]{{64}})"), "version assigned in the script"),
    (re.compile(rf"[\w.\[\]-]+==v?{SEMVER}"), "pip pin"),
    (re.compile(rf"(?:^|[\s\"'])@?[\w./-]+@v?{SEMVER}\b"), "npm/go pin"),
    (re.compile(rf"--version[ =][\"']?v?{SEMVER}"), "--version literal"),
]


def load(path: Path | None = None) -> dict[str, str]:
    """NAME -> value; a malformed or duplicated line is an error, not a silent skip."""
    path = path or ROOT / MANIFEST
    values: dict[str, str] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = LINE_RE.match(line)
        if not m:
            raise ValueError(f"{path.name}:{n}: not NAME=value: {raw!r}")
        if m.group(1) in values:
            raise ValueError(f"{path.name}:{n}: {m.group(1)} defined twice")
        values[m.group(1)] = m.group(2)
    return values


def _tracked(root: Path, *patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "--", *patterns], cwd=root, capture_output=True, text=True, check=True)
    return [root / p for p in out.stdout.split()]


def _code(line: str) -> str:
    """The line without a trailing shell/YAML comment (good enough for pins)."""
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0]


def check_scripts(root: Path, manifest: dict[str, str]) -> list[str]:
    problems = []
    scripts = _tracked(root, "scripts/install-*", "scripts/test-*", "scripts/test", ".ci/run")
    for path in scripts:
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            code = _code(line)
            for rx, why in SCRIPT_PINS:
                if rx.search(code):
                    problems.append(f"{rel}:{n}: {why} outside {MANIFEST}: {line.strip()}")
        used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*_(?:VERSION|SHA256|REV))\b", text))
        for name in sorted(used - set(manifest)):
            problems.append(f"{rel}: uses ${name}, which {MANIFEST} does not define")
        if used and "tool-versions.env" not in text:
            problems.append(f"{rel}: uses manifest variables but never reads {MANIFEST}")
    return problems


def check_workflows(root: Path) -> list[str]:
    """No version literal in a workflow, except an action pin's `# vX.Y.Z` comment."""
    problems = []
    for path in _tracked(root, ".github/workflows/*.yml", ".github/workflows/*.yaml"):
        rel = path.relative_to(root).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = _code(line)
            if re.search(rf"\bv?{SEMVER}", code) or re.search(r"^\s*[A-Z0-9_]*(VERSION|SHA256):", code):
                problems.append(f"{rel}:{n}: tool version pinned in the workflow (read {MANIFEST}): {line.strip()}")
    return problems


def check_pre_commit(root: Path, manifest: dict[str, str]) -> list[str]:
    path = root / ".pre-commit-config.yaml"
    problems, repo = [], None
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\s*-\s*repo:\s*(\S+)", line)
        if m:
            repo = m.group(1)
            if repo not in ("local", "meta") and repo not in HOOK_REPOS:
                problems.append(f".pre-commit-config.yaml:{n}: hook repository {repo} has no manifest entry")
            continue
        m = re.match(r"^\s*rev:\s*(\S+)\s*(?:#\s*frozen:\s*(\S+))?", line)
        if m and repo in HOOK_REPOS:
            rev_var, version_var = HOOK_REPOS[repo]
            if m.group(1) != manifest.get(rev_var):
                problems.append(f".pre-commit-config.yaml:{n}: {repo} rev {m.group(1)} != {rev_var}")
            if m.group(2) != f"v{manifest.get(version_var)}":
                problems.append(f".pre-commit-config.yaml:{n}: {repo} `# frozen:` {m.group(2)} != v{version_var}")
        m = re.search(rf"pre-commit==({SEMVER})", line)
        if m and m.group(1) != manifest.get("PRE_COMMIT_VERSION"):
            problems.append(f".pre-commit-config.yaml:{n}: pre-commit {m.group(1)} != PRE_COMMIT_VERSION")
    return problems


def check_dockerfiles(root: Path, manifest: dict[str, str]) -> list[str]:
    problems = []
    for path in _tracked(root, "Dockerfile", "*/Dockerfile", "*.Dockerfile"):
        rel = path.relative_to(root).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = re.match(r"^\s*ARG\s+([A-Z][A-Z0-9_]*_VERSION)=(\S+)", line)
            if m and m.group(1) in manifest and m.group(2) != manifest[m.group(1)]:
                problems.append(f"{rel}:{n}: ARG {m.group(1)}={m.group(2)} != {MANIFEST} ({manifest[m.group(1)]})")
            m = re.match(r"^\s*FROM\s+(?:--platform=\S+\s+)?(?:docker\.io/library/)?node:([^@\s-]+)", line, re.I)
            if m and m.group(1) != manifest.get("NODE_VERSION"):
                problems.append(f"{rel}:{n}: node:{m.group(1)} != NODE_VERSION ({manifest.get('NODE_VERSION')})")
    return problems


def check(root: Path = ROOT) -> list[str]:
    try:
        manifest = load(root / MANIFEST)
    except (OSError, ValueError) as e:
        return [str(e)]
    return (
        check_scripts(root, manifest)
        + check_workflows(root)
        + check_pre_commit(root, manifest)
        + check_dockerfiles(root, manifest)
    )


def main(argv: list[str]) -> int:
    if argv[1:2] == ["check"]:
        problems = check()
        for p in problems:
            print(p)
        print(f"versions: {len(load())} pins in {MANIFEST}, {len(problems)} problem(s)")
        return 1 if problems else 0
    if argv[1:2] == ["get"] and len(argv) == 3:
        values = load()
        if argv[2] not in values:
            print(f"{argv[2]} is not in {MANIFEST}", file=sys.stderr)
            return 1
        print(values[argv[2]])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
