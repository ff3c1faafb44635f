"""The checkers behind the `versions`, `exceptions`, `codeql-results` and `base-images`
gates, on planted copies.

Each test writes a small real repository (git-tracked files) with one deliberate flaw and
proves the checker names it; the committed tree itself is checked by the gates.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import advisory_ignores
import base_images
import codeql_results
import exceptions
import tool_versions
from conftest import ROOT

TODAY = dt.date(2026, 12, 1)


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


@pytest.fixture
def copy(tmp_path):
    """The repository's policy files, git-tracked in a scratch repository."""
    names = ["scripts/tool-versions.env", ".pre-commit-config.yaml", "deny.toml", ".trivyignore.yaml",
             ".secrets.baseline", "zizmor.yml", "api/Dockerfile", "web/Dockerfile"]
    return _repo(tmp_path, {n: (ROOT / n).read_text(encoding="utf-8") for n in names})


def test_manifest_parse_errors_are_errors(tmp_path):
    p = tmp_path / "m.env"
    p.write_text("A_VERSION=1.0.0\nA_VERSION=1.0.1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="defined twice"):
        tool_versions.load(p)
    p.write_text('A_VERSION="1.0.0"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not NAME=value"):
        tool_versions.load(p)


def test_committed_copies_pass(copy):
    assert tool_versions.check(copy) == []


@pytest.mark.parametrize(
    "path,text,expect",
    [
        ("scripts/install-foo", "X_VERSION=1.2.3\n", "version assigned in the script"),
        ("scripts/install-foo", 'pip install "tool==4.5.6"\n', "pip pin"),
        ("scripts/install-foo", "npm install --save-exact left-pad@1.3.0\n", "npm/go pin"),
        ("scripts/install-foo", "cargo install --locked --version 0.1.2 x\n", "--version literal"),
        ("scripts/install-foo", '. scripts/tool-versions.env\necho "$NOPE_VERSION"\n', "does not define"),
        ("scripts/install-foo", 'echo "$ZIZMOR_VERSION"\n', "never reads"),
        (".github/workflows/x.yml", "env:\n  TOOL_VERSION: x\n", "pinned in the workflow"),
        (".github/workflows/x.yml", "with:\n  cosign-release: v3.1.2\n", "pinned in the workflow"),
    ],
)
def test_a_pin_outside_the_manifest_fails(copy, path, text, expect):
    (copy / path).parent.mkdir(parents=True, exist_ok=True)
    (copy / path).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=copy, check=True)
    problems = tool_versions.check(copy)
    assert any(expect in p for p in problems), problems


def test_an_ip_address_or_comment_is_not_a_pin(copy):
    (copy / ".github/workflows").mkdir(parents=True)
    (copy / ".github/workflows/x.yml").write_text(
        "ports:\n  - 127.0.0.1:5432:5432\nsteps:\n  - uses: a/b@0123 # v1.2.3\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=copy, check=True)
    assert tool_versions.check(copy) == []


@pytest.mark.parametrize(
    "path,old,new,expect",
    [
        (".pre-commit-config.yaml", "rev: 01886c8a910c64595c47f186ca1ffc0b77fa5458", "rev: v1.5.0", "!= DETECT_SECRETS_HOOK_REV"),
        (".pre-commit-config.yaml", "# frozen: v1.38.0", "# frozen: v1.37.0", "`# frozen:`"),
        (".pre-commit-config.yaml", "  - repo: local", "  - repo: https://github.com/x/y\n    rev: abc\n  - repo: local", "no manifest entry"),
        ("api/Dockerfile", "ARG CARGO_AUDITABLE_VERSION=", "ARG CARGO_AUDITABLE_VERSION=9.9.9 #", "ARG CARGO_AUDITABLE_VERSION"),
        ("web/Dockerfile", "FROM node:20.20.2-", "FROM node:22.1.0-", "!= NODE_VERSION"),
    ],
)
def test_a_copy_that_drifts_from_the_manifest_fails(copy, path, old, new, expect):
    text = (copy / path).read_text(encoding="utf-8")
    assert old in text, old
    (copy / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = tool_versions.check(copy)
    assert any(expect in p for p in problems), problems


def test_committed_exceptions_pass(copy):
    assert exceptions.check(copy, TODAY) == []


def _advisory(copy: Path, reason: str) -> None:
    text = (copy / "deny.toml").read_text(encoding="utf-8")
    text = text.replace("ignore = [\n", f'ignore = [\n  {{ id = "RUSTSEC-2099-0001", reason = "{reason}" }},\n', 1)
    (copy / "deny.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "reason,expect",
    [
        ("a real reason that is long enough, expires 2026-11-30", "expired on 2026-11-30"),
        ("a real reason that is long enough, expires 2027-12-31", "more than 90 days out"),
        ("a real reason that is long enough, no date", "no expiry"),
        ("short", "no real reason"),
    ],
)
def test_deny_toml_advisory_without_reason_or_valid_expiry_fails(copy, reason, expect):
    _advisory(copy, reason)
    assert any(expect in p for p in exceptions.check(copy, TODAY))


def test_advisory_ignores_refuses_an_expired_entry(copy, capsys):
    _advisory(copy, "a real reason that is long enough, expires 2020-01-01")
    assert advisory_ignores.main(copy) == 1
    err = capsys.readouterr().err
    assert "RUSTSEC-2099-0001" in err and "expired" in err


def test_advisory_ignores_passes_the_committed_list(capsys):
    assert advisory_ignores.main(ROOT) == 0
    assert capsys.readouterr().out.startswith("--ignore RUSTSEC-")


def test_zizmor_ignore_needs_reason_and_expiry(copy):
    text = (copy / "zizmor.yml").read_text(encoding="utf-8")
    (copy / "zizmor.yml").write_text(text.replace("      # expires: 2027-02-28\n", ""), encoding="utf-8")
    assert any("no expiry" in p for p in exceptions.check(copy, TODAY))
    (copy / "zizmor.yml").write_text(text.replace("      # reason: release.yml calls", "      # release.yml calls"), encoding="utf-8")
    assert any("no `# reason:`" in p for p in exceptions.check(copy, TODAY))


def test_trivyignore_and_baseline_entries(copy):
    (copy / ".trivyignore.yaml").write_text(
        "vulnerabilities:\n  - id: CVE-2099-1\n    expired_at: 2027-01-01\n", encoding="utf-8")
    assert any("no statement" in p for p in exceptions.check(copy, TODAY))
    shutil.copy(ROOT / ".trivyignore.yaml", copy / ".trivyignore.yaml")
    baseline = (copy / ".secrets.baseline").read_text(encoding="utf-8")
    (copy / ".secrets.baseline").write_text(baseline.replace('"is_secret": false', '"is_secret": true', 1), encoding="utf-8")
    assert any("marked as a real secret" in p for p in exceptions.check(copy, TODAY))


# --- codeql-results and base-images: the parts that can run without GitHub ----------


def _sarif(results: list[dict]) -> dict:
    return {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": results}]}


def test_codeql_results_fail_on_any_result_and_on_no_sarif(tmp_path, capsys):
    assert codeql_results.main(tmp_path) == 1, "no SARIF proves nothing"
    (tmp_path / "rust.sarif").write_text(json.dumps(_sarif([])), encoding="utf-8")
    assert codeql_results.main(tmp_path) == 0
    hit = {"ruleId": "rust/sql-injection", "message": {"text": "tainted"},
           "locations": [{"physicalLocation": {"artifactLocation": {"uri": "api/src/x.rs"}, "region": {"startLine": 7}}}]}
    (tmp_path / "js.sarif").write_text(json.dumps(_sarif([hit])), encoding="utf-8")
    assert codeql_results.main(tmp_path) == 1
    assert "::error file=api/src/x.rs,line=7::rust/sql-injection" in capsys.readouterr().out


@pytest.mark.parametrize(
    "ref,repo",
    [
        ("rust:1.95-slim@sha256:" + "a" * 64, "docker.io/library/rust"),
        ("nginxinc/nginx-unprivileged:1.29@sha256:" + "b" * 64, "docker.io/nginxinc/nginx-unprivileged"),
        ("gcr.io/distroless/cc-debian12:nonroot@sha256:" + "c" * 64, "gcr.io/distroless/cc-debian12"),
        ("localhost:5000/x/y:1", "localhost:5000/x/y"),
    ],
)
def test_base_image_repository_names(ref, repo):
    assert base_images.repository(ref) == repo


def test_an_unclassified_base_image_fails(tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text("FROM quay.io/someone/base:1@sha256:" + "d" * 64 + " AS build\nFROM build\n", encoding="utf-8")
    found, problems = base_images.classify([df])
    assert not found and len(problems) == 1 and "quay.io/someone/base" in problems[0]


def test_a_signed_base_image_is_verified_by_digest_only():
    entry = {"signed": True, "certificate-identity": "x", "certificate-oidc-issuer": "y"}
    assert base_images.verify([("gcr.io/distroless/cc-debian12:nonroot", entry)]) == [
        "gcr.io/distroless/cc-debian12:nonroot: verify a digest, never a tag"]
