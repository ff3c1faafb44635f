"""Plant each deliberate flaw in a temporary copy of the repository and prove that
scripts/test-security fails on it (and passes on the untouched copy).

The copy holds the git-tracked files (plus the working-tree versions of them) in a fresh
git repository, so the gates see exactly what a commit would contain. Only the gates
relevant to each flaw run, to keep this fast; the full run is scripts/test-security itself.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, tracked

# Gates the flaws below exercise (`planted` itself is excluded: no recursion).
FAST_GATES = "zizmor,hadolint,checkov,secrets,policy"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("repo")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout.split(b"\0")
    for f in filter(None, files):
        src = ROOT / f.decode()
        if src.is_file():
            (dst / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / f.decode())
    _git(dst, "init", "-q")
    _git(dst, "add", "-A")
    return dst


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _copy(pristine: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "repo"
    shutil.copytree(pristine, dst, symlinks=True)
    return dst


def _security(repo: Path, gates: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/test-security", "--only", gates],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "SECURITY_OUT": str(repo / "target/security")},
        timeout=300,
    )


def _failed_gates(result: subprocess.CompletedProcess) -> set[str]:
    return set(re.findall(r"^--- (\S+): FAILED", result.stdout, re.M))


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: anchor {old!r} not found"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_untouched_copy_passes(pristine, tmp_path):
    result = _security(_copy(pristine, tmp_path), FAST_GATES)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"^security: \d+ passed, 0 failed$", result.stdout, re.M)


def test_fake_secret_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    # A syntactically valid AWS key pair, as a developer might paste it.
    # Assembled at run time so that this file itself carries no secret-shaped literal.
    key_id = "".join(("AK", "IA", "QYLPMN5HZW7XB3KE"))
    key = "".join(("wJalrXUtnFEMI", "/K7MDENG/", "bPxRfiCYzX9qP4vT2mWe"))
    (repo / "api/src/leaked_settings.rs").write_text(
        f'pub const AWS_ACCESS_KEY_ID: &str = "{key_id}";\n'
        f'pub const AWS_SECRET_ACCESS_KEY: &str = "{key}";\n',
        encoding="utf-8",
    )
    _git(repo, "add", "-A")
    result = _security(repo, "secrets")
    assert result.returncode != 0 and "secrets" in _failed_gates(result), result.stdout[-3000:]
    assert "api/src/leaked_settings.rs" in result.stdout


def test_unpinned_action_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    _edit(
        repo / ".github/workflows/ci.yml",
        "uses: actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1",
        "uses: actions/checkout@v6",
    )
    _git(repo, "add", "-A")
    result = _security(repo, "zizmor,policy")
    assert {"zizmor", "policy"} <= _failed_gates(result), result.stdout[-3000:]
    assert "unpinned-uses" in result.stdout


@pytest.mark.skipif(not tracked("api/Dockerfile"), reason="api/Dockerfile not in git yet")
def test_root_dockerfile_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    df = repo / "api/Dockerfile"
    _edit(df, "USER 65532:65532", "USER root")
    _git(repo, "add", "-A")
    result = _security(repo, "hadolint,checkov,policy")
    # hadolint DL3002 (last USER root), checkov CKV_DOCKER_8, and the policy test.
    assert {"hadolint", "checkov", "policy"} <= _failed_gates(result), result.stdout[-4000:]


@pytest.mark.skipif(not tracked("api/Dockerfile"), reason="api/Dockerfile not in git yet")
def test_dockerfile_without_user_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    _edit(repo / "api/Dockerfile", "USER 65532:65532\n", "")
    _git(repo, "add", "-A")
    result = _security(repo, "checkov,policy")
    # hadolint does not flag a missing USER; checkov (CKV_DOCKER_3) and the policy test do.
    assert {"checkov", "policy"} <= _failed_gates(result), result.stdout[-4000:]


def test_continue_on_error_gate_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    _edit(
        repo / ".github/workflows/security.yml",
        "      - name: gitleaks (blocking)\n",
        "      - name: gitleaks (blocking)\n        continue-on-error: true\n",
    )
    _git(repo, "add", "-A")
    result = _security(repo, "policy")
    assert "policy" in _failed_gates(result), result.stdout[-3000:]
    assert "continue-on-error" in result.stdout


def test_or_true_gate_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    _edit(repo / ".github/workflows/security.yml", "cargo deny --locked check\n", "cargo deny --locked check || true\n")
    _git(repo, "add", "-A")
    result = _security(repo, "policy")
    assert "policy" in _failed_gates(result) and "|| true" in result.stdout, result.stdout[-3000:]


def test_expired_exception_fails(pristine, tmp_path):
    repo = _copy(pristine, tmp_path)
    _edit(
        repo / ".trivyignore.yaml",
        "vulnerabilities: []",
        'vulnerabilities:\n  - id: CVE-2024-0001\n    statement: "accepted once"\n    expired_at: 2025-01-31',
    )
    _git(repo, "add", "-A")
    result = _security(repo, "policy")
    assert "policy" in _failed_gates(result) and "expired" in result.stdout, result.stdout[-3000:]
