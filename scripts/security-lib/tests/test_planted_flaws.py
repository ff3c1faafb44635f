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
FAST_GATES = "versions,exceptions,zizmor,hadolint,checkov,secrets,policy"


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
        ["bash", "scripts/test-security", *gates.split(",")],
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
        "uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
        "uses: actions/checkout@v7",
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


SECURITY_YML = ".github/workflows/security.yml"
GATE_STEP = '        run: scripts/test-security "$GATE"\n'


def _planted(pristine, tmp_path, edits, gates="policy") -> subprocess.CompletedProcess:
    """Apply (path, old, new) edits to a fresh copy, stage them, run the gates."""
    repo = _copy(pristine, tmp_path)
    for path, old, new in edits:
        _edit(repo / path, old, new)
    _git(repo, "add", "-A")
    return _security(repo, gates)


def _assert_fails(result, gate: str, *needles: str) -> None:
    out = result.stdout
    assert result.returncode == 1 and gate in _failed_gates(result), out[-4000:]
    for n in needles:
        assert n in out, f"{n!r} not in the output:\n{out[-4000:]}"


# --- item 5 of issue 12: edits that once passed every offline gate -------------------
def test_continue_on_error_on_a_gate_step_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, GATE_STEP, GATE_STEP + "        continue-on-error: true\n")])
    _assert_fails(r, "policy", "`continue-on-error:` on a gate step")


@pytest.mark.parametrize("suffix", [" || true", ' || echo "gate failed, ignored"', " || exit 0"])
def test_a_swallowed_exit_code_on_a_gate_step_fails(pristine, tmp_path, suffix):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, GATE_STEP, GATE_STEP.rstrip("\n") + suffix + "\n")])
    _assert_fails(r, "policy", "run must be exactly `scripts/test-security GATE`")


def test_or_exit_0_on_the_codeql_gate_fails(pristine, tmp_path):
    step = "        run: scripts/test-security codeql-results\n"
    r = _planted(pristine, tmp_path, [(SECURITY_YML, step, step.rstrip("\n") + " || exit 0\n")])
    _assert_fails(r, "policy", "run must be exactly")


def test_an_if_that_skips_a_gate_on_pull_requests_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, "      - name: Gate (scripts/test-security)\n        env:\n",
                                       "      - name: Gate (scripts/test-security)\n"
                                       "        if: github.event_name != 'pull_request'\n        env:\n")])
    _assert_fails(r, "policy", "`if:` on a gate step")


def test_an_if_that_skips_a_gate_job_on_pull_requests_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, "    name: ${{ matrix.gate }}\n",
                                       "    name: ${{ matrix.gate }}\n    if: github.event_name != 'pull_request'\n")])
    _assert_fails(r, "policy", "`if:` on a job that runs a gate")


def test_zizmor_min_severity_in_the_gate_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [("scripts/test-security", "local args=(--persona=pedantic ",
                                       "local args=(--persona=pedantic --min-severity=high ")])
    _assert_fails(r, "policy", "g_zizmor narrows the gate")


def test_zizmor_min_severity_in_a_workflow_step_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, "      - name: Keep the SARIF report\n",
                                       "      - name: zizmor, high only\n        run: zizmor --min-severity=high .\n"
                                       "      - name: Keep the SARIF report\n")])
    _assert_fails(r, "policy", "runs zizmor (use scripts/test-security)")


@pytest.mark.parametrize("section", ["licenses", "advisories"])
def test_cargo_deny_narrowed_to_one_section_fails(pristine, tmp_path, section):
    r = _planted(pristine, tmp_path, [("scripts/test-security", '"${cfg[@]}" check --hide-inclusion-graph',
                                       f'"${{cfg[@]}}" check {section} --hide-inclusion-graph')])
    _assert_fails(r, "policy", "g_cargo-deny narrows the gate")


def test_a_swallowed_exit_code_inside_the_script_fails(pristine, tmp_path):
    old = '"$SEMGREP" scan --config .semgrep/rules "${SEMGREP_FLAGS[@]}" --quiet --text "${sarif[@]}"'
    r = _planted(pristine, tmp_path, [("scripts/test-security", old, old + ' || echo "semgrep: findings"')])
    _assert_fails(r, "policy", "a gate must return its tool's exit status", "g_semgrep")


# --- one definition of each gate -------------------------------------------------------
def test_a_gate_missing_from_the_workflows_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, "          - hadolint\n", "")])
    _assert_fails(r, "policy", "gates of scripts/test-security that no workflow runs: ['hadolint']")


def test_a_workflow_gate_the_script_does_not_define_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, "          - npm-audit\n", "          - npm-audit\n          - grype\n")])
    _assert_fails(r, "policy", "workflows run gates the script does not define: ['grype']")


def test_npx_in_a_job_with_write_tokens_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(".github/workflows/release.yml", "          mkdir -p signatures\n",
                                       "          mkdir -p signatures\n          npx --yes @cyclonedx/cyclonedx-npm --output-file x.json\n")])
    _assert_fails(r, "policy", "'npx' in")


def test_a_version_pinned_outside_the_manifest_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(SECURITY_YML, "          SECURITY_SARIF: \"1\"\n",
                                       "          SECURITY_SARIF: \"1\"\n          TRIVY_VERSION: \"0.74.0\"\n")], gates="versions")
    _assert_fails(r, "versions", "tool version pinned in the workflow")


def test_removing_the_unsigned_digest_refusal_fails(pristine, tmp_path):
    script = "scripts/security-lib/verify-release"
    text = (ROOT / script).read_text(encoding="utf-8")
    start = text.index('  expect_refusal "cosign, unsigned digest')
    end = text.index("fi\n", start)
    r = _planted(pristine, tmp_path, [(script, text[start:end], "  :\n")])
    _assert_fails(r, "policy", "test_p31_p32_verify_exact_identity_and_refusals")


# --- exceptions expire on both sides -------------------------------------------------
def test_expired_trivy_exception_fails(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [(".trivyignore.yaml", "vulnerabilities: []",
                                       'vulnerabilities:\n  - id: CVE-2024-0001\n    statement: "accepted once"\n    expired_at: 2025-01-31')],
                 gates="exceptions")
    _assert_fails(r, "exceptions", "expired on 2025-01-31")


def test_expired_advisory_fails_cargo_audit_too(pristine, tmp_path):
    r = _planted(pristine, tmp_path, [("deny.toml", "Added 2026-11-29, expires 2027-02-26\" },\n  { id = \"RUSTSEC-2026-0253\"",
                                       "Added 2024-11-29, expires 2025-02-26\" },\n  { id = \"RUSTSEC-2026-0253\"")],
                 gates="exceptions,cargo-audit")
    _assert_fails(r, "exceptions", "RUSTSEC-2023-0071: expired on 2025-02-26")
    assert "cargo-audit" in _failed_gates(r) and "advisory_ignores: fix deny.toml" in r.stdout + r.stderr
