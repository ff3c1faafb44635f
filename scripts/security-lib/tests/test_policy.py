"""Policy tests: the checkable properties of ../shared/pipeline.md, read from the files.

Each test names the property it checks (p01 ... p36). Signing, attestation and SARIF
upload themselves only run on GitHub; here we check the files that configure them.
Checks of files owned by others (Dockerfiles, compose.yml, web/package-lock.json)
apply as soon as the file is in git, and are skipped (with the reason) until then.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tomllib

import pytest
import yaml

from conftest import ROOT, Workflow, dockerfiles, load_yaml, tracked

TODAY = dt.date.today()
MAX_EXCEPTION_DAYS = 90
SHA_RE = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
VERSION_COMMENT_RE = re.compile(r"#\s*v\d+(\.\d+){0,2}\b")
DIGEST_IMAGE_RE = re.compile(r"^[\w.\-/:]+:[\w.\-]+@sha256:[0-9a-f]{64}$")

# Every third-party action the workflows may use (p02: no typosquats, no archived
# or superfluous wrappers). Adding one is a reviewed change to this list.
ALLOWED_ACTIONS = {
    "actions/checkout",
    "actions/setup-node",
    "actions/attest-build-provenance",
    "actions/attest-sbom",
    "anchore/sbom-action",
    "docker/build-push-action",
    "docker/login-action",
    "docker/metadata-action",
    "docker/setup-buildx-action",
    "github/codeql-action/analyze",
    "github/codeql-action/init",
    "github/codeql-action/upload-sarif",
    "ossf/scorecard-action",
    "sigstore/cosign-installer",
    "step-security/harden-runner",
}
# Jobs that may hold publish/sign/attest scopes (p07, p13).
PUBLISH_SCOPES = {"id-token", "packages", "attestations"}
# The only services allowed to run as root, each with the reason (p36).
ROOT_SERVICE_EXCEPTIONS = {
    "acme-init": "one-shot chown of the ACME volume to Traefik's UID: only CAP_CHOWN, no network, read-only root",
}


def uses_lines(wf: Workflow):
    for n, line in enumerate(wf.lines, 1):
        m = re.match(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", line)
        if m:
            yield n, m.group(1).strip("'\""), m.group(2)


def step_label(wf, job, i, step):
    return f"{wf.name}:{job}:step {i} ({step.get('name') or step.get('uses') or 'run'})"


def run_scripts(wf: Workflow):
    for job, i, step in wf.steps():
        if "run" in step:
            yield job, i, step, step["run"]


def permissions_of(node) -> dict:
    p = node.get("permissions")
    if p is None:
        return {}
    if isinstance(p, str):
        return {"*": p}
    return p


# ---------------------------------------------------------------------- CI itself
def test_p01_actions_pinned_by_full_sha_with_version_comment(workflows):
    bad = []
    for wf in workflows:
        for n, ref, rest in uses_lines(wf):
            if ref.startswith("./"):
                continue
            if not SHA_RE.match(ref) or not VERSION_COMMENT_RE.search(rest):
                bad.append(f"{wf.name}:{n}: {ref}{rest}")
    assert not bad, "actions must be `owner/repo@<40-hex sha> # vX.Y.Z`:\n" + "\n".join(bad)


def test_p01_same_action_same_pin_everywhere(workflows):
    pins: dict[str, set[str]] = {}
    for wf in workflows:
        for _, ref, _ in uses_lines(wf):
            if "@" in ref and not ref.startswith("./"):
                name, sha = ref.split("@", 1)
                pins.setdefault(name.split("/")[0] + "/" + name.split("/")[1], set()).add(sha)
    drift = {k: v for k, v in pins.items() if len(v) > 1}
    assert not drift, f"one action, several pins: {drift}"


def test_p02_only_allow_listed_actions(workflows):
    unknown = sorted(
        {ref.split("@")[0] for wf in workflows for _, ref, _ in uses_lines(wf) if not ref.startswith("./")}
        - ALLOWED_ACTIONS
    )
    assert not unknown, f"actions outside the reviewed allow-list: {unknown}"


def test_p02_zizmor_enforces_the_same_allow_list():
    cfg = load_yaml(ROOT / "zizmor.yml")
    allow = set(cfg["rules"]["forbidden-uses"]["config"]["allow"])
    expanded = {a for a in ALLOWED_ACTIONS if not a.startswith("github/codeql-action/")} | {"github/codeql-action/*"}
    assert allow == expanded, f"zizmor.yml forbidden-uses allow-list differs: {sorted(allow ^ expanded)}"


def test_p03_downloaded_tools_have_explicit_versions(workflows):
    bad = []
    for wf in workflows:
        if re.search(r"(?i)\blatest\b(?!=false)", "\n".join(l.split("#")[0] for l in wf.lines)):
            bad.append(f"{wf.name}: mentions `latest`")
        for job, i, step in wf.steps():
            uses = step.get("uses", "")
            w = step.get("with", {}) or {}
            if uses.startswith("anchore/sbom-action") and not re.match(r"^v\d+\.\d+\.\d+$", str(w.get("syft-version", ""))):
                bad.append(f"{step_label(wf, job, i, step)}: syft-version not pinned")
            if uses.startswith("sigstore/cosign-installer") and not re.match(r"^v\d+\.\d+\.\d+$", str(w.get("cosign-release", ""))):
                bad.append(f"{step_label(wf, job, i, step)}: cosign-release not pinned")
            run = step.get("run", "")
            if "releases/download/" in run and "sha256sum --check" not in run:
                bad.append(f"{step_label(wf, job, i, step)}: release download without a checksum check")
    assert not bad, "\n".join(bad)


def test_p03_scanner_versions_pinned_in_env(wf_by_name):
    sec = wf_by_name["security.yml"].text
    for var in ("GITLEAKS_VERSION", "TRIVY_VERSION", "ZIZMOR_VERSION", "ACTIONLINT_VERSION", "SEMGREP_VERSION"):
        assert re.search(rf'{var}: "\d+\.\d+\.\d+"', sec), f"security.yml: {var} not pinned"
    for var in ("GITLEAKS_SHA256", "TRIVY_SHA256", "ACTIONLINT_SHA256"):
        assert re.search(rf"{var}: [0-9a-f]{{64}}", sec), f"security.yml: {var} missing"


def test_p04_service_and_container_images_pinned_by_digest(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            images = [s.get("image") if isinstance(s, dict) else s for s in (job.get("services") or {}).values()]
            c = job.get("container")
            if c:
                images.append(c.get("image") if isinstance(c, dict) else c)
            bad += [f"{wf.name}:{job_id}: {img}" for img in images if not DIGEST_IMAGE_RE.match(str(img))]
    assert not bad, "images must be name:tag@sha256:...:\n" + "\n".join(bad)


AD_HOC = [
    (re.compile(r"\bcargo install\b(?!.*--locked)"), "cargo install without --locked"),
    (re.compile(r"\bcargo install\b(?!.*--version)"), "cargo install without --version"),
    (re.compile(r"\bpip3? install\b(?![^\n]*==)"), "pip install without ==version"),
    (re.compile(r"\bnpm (install|i)\b"), "npm install (use npm ci)"),
    (re.compile(r"\bnpx\b(?![^\n]*(--no-install|@\d))"), "npx without a pinned version"),
    (re.compile(r"curl[^\n|]*\|\s*(ba|z)?sh\b"), "curl | sh"),
    (re.compile(r"\bgo install\b(?![^\n]*@v\d)"), "go install without @version"),
    (re.compile(r"\bapt-get install\b(?![^\n]*=)"), "apt-get install without =version"),
]


def test_p05_no_unpinned_installs_in_run(workflows):
    bad = []
    for wf in workflows:
        for job, i, step, run in run_scripts(wf):
            for rx, why in AD_HOC:
                if rx.search(run):
                    bad.append(f"{step_label(wf, job, i, step)}: {why}")
    assert not bad, "\n".join(bad)


def test_p06_top_level_permissions_minimal(workflows):
    bad = []
    for wf in workflows:
        p = wf.data.get("permissions", "MISSING")
        if p not in ({}, {"contents": "read"}):
            bad.append(f"{wf.name}: top-level permissions {p!r}")
    assert not bad, "\n".join(bad)


def test_p06_every_write_scope_is_on_a_job_and_commented(workflows):
    bad = []
    for wf in workflows:
        for n, line in enumerate(wf.lines, 1):
            if re.match(r"^\s+[\w-]+:\s*write\b", line) and "#" not in line:
                bad.append(f"{wf.name}:{n}: `{line.strip()}` has no comment saying why")
            if re.match(r"^\s+permissions:\s*(write-all|read-all)", line):
                bad.append(f"{wf.name}:{n}: blanket permissions")
    assert not bad, "\n".join(bad)


def test_p07_publish_scopes_never_reachable_from_pull_requests(workflows):
    bad = []
    for wf in workflows:
        pr = {"pull_request", "pull_request_target"} & set(wf.on)
        for job_id, job in wf.jobs.items():
            writes = {k for k, v in permissions_of(job).items() if v == "write"}
            if pr and writes & PUBLISH_SCOPES:
                bad.append(f"{wf.name}:{job_id}: {sorted(writes & PUBLISH_SCOPES)} in a pull_request workflow")
            if "security-events" in writes:
                uploads = any(
                    str(s.get("uses", "")).startswith(("github/codeql-action/upload-sarif", "github/codeql-action/analyze"))
                    for s in job.get("steps", []) or []
                ) or str(job.get("uses", "")).startswith("./")
                if not uploads:
                    bad.append(f"{wf.name}:{job_id}: security-events: write without a SARIF upload")
    assert not bad, "\n".join(bad)


def test_p08_checkouts_do_not_persist_credentials(workflows):
    bad = [
        step_label(wf, job, i, step)
        for wf in workflows
        for job, i, step in wf.steps()
        if str(step.get("uses", "")).startswith("actions/checkout")
        and (step.get("with") or {}).get("persist-credentials") is not False
    ]
    assert not bad, "checkout without persist-credentials: false:\n" + "\n".join(bad)


def test_p09_no_dangerous_triggers(workflows):
    bad = [f"{wf.name}: {t}" for wf in workflows for t in wf.on if t in ("pull_request_target", "workflow_run")]
    assert not bad, "\n".join(bad)


def test_p10_no_expressions_inside_run(workflows):
    bad = [step_label(wf, job, i, step) for wf in workflows for job, i, step, run in run_scripts(wf) if "${{" in run]
    assert not bad, "pass values through env:, not ${{ }} inside run:\n" + "\n".join(bad)


def test_p11_no_secrets_inherit_and_secrets_only_in_environment_jobs(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            if job.get("secrets") == "inherit":
                bad.append(f"{wf.name}:{job_id}: secrets: inherit")
            if "secrets." in yaml.safe_dump(job) and not job.get("environment"):
                bad.append(f"{wf.name}:{job_id}: uses secrets.* outside a protected environment")
    assert not bad, "\n".join(bad)


def test_p12_no_trust_decisions_on_actor(workflows):
    bad = []
    for wf in workflows:
        for n, line in enumerate(wf.lines, 1):
            if re.search(r"github\.(triggering_)?actor|dependabot\[bot\]", line):
                bad.append(f"{wf.name}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_p13_publish_jobs_behind_environment_and_main_or_tags(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            writes = {k for k, v in permissions_of(job).items() if v == "write"}
            publishes = writes & (PUBLISH_SCOPES | {"contents"})
            if not publishes or wf.name == "scorecard.yml":
                continue  # Scorecard's id-token only signs its own public results
            if not job.get("environment"):
                bad.append(f"{wf.name}:{job_id}: {sorted(publishes)} without environment:")
            allowed = set(wf.on) <= {"push", "workflow_dispatch"}
            push = wf.on.get("push") or {}
            if not allowed or set(push.get("branches", [])) - {"main"}:
                bad.append(f"{wf.name}:{job_id}: publish job reachable from {sorted(wf.on)}")
    assert not bad, "\n".join(bad)


def release_and_called(wf_by_name) -> list[Workflow]:
    rel = wf_by_name["release.yml"]
    called = [wf_by_name[j["uses"].rsplit("/", 1)[1]] for j in rel.jobs.values() if str(j.get("uses", "")).startswith("./")]
    return [rel, *called]


def test_p14_no_build_cache_in_release(wf_by_name):
    bad = []
    for wf in release_and_called(wf_by_name):
        for job, i, step in wf.steps():
            uses = str(step.get("uses", ""))
            w = step.get("with") or {}
            if uses.startswith(("actions/cache", "Swatinem/rust-cache")):
                bad.append(f"{step_label(wf, job, i, step)}: cache action")
            if any(k in w for k in ("cache-from", "cache-to")) or w.get("cache"):
                bad.append(f"{step_label(wf, job, i, step)}: cache input")
            if uses.startswith("actions/setup-node") and w.get("package-manager-cache") is not False:
                bad.append(f"{step_label(wf, job, i, step)}: setup-node caches by default")
    assert not bad, "release (and the workflows it calls) restore no cache:\n" + "\n".join(bad)


def test_p15_concurrency_and_timeouts(workflows):
    bad = []
    for wf in workflows:
        c = wf.data.get("concurrency")
        if not isinstance(c, dict) or "group" not in c:
            bad.append(f"{wf.name}: no concurrency group")
        elif "pull_request" in wf.on and "cancel-in-progress" not in c:
            bad.append(f"{wf.name}: PR workflow without cancel-in-progress")
        for job_id, job in wf.jobs.items():
            if "uses" not in job and not isinstance(job.get("timeout-minutes"), int):
                bad.append(f"{wf.name}:{job_id}: no timeout-minutes")
    assert not bad, "\n".join(bad)


def test_p16_harden_runner_first(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            steps = job.get("steps") or []
            if steps and not str(steps[0].get("uses", "")).startswith("step-security/harden-runner"):
                bad.append(f"{wf.name}:{job_id}")
    assert not bad, "first step must be step-security/harden-runner:\n" + "\n".join(bad)


def test_p17_zizmor_and_actionlint_gate_every_change(wf_by_name):
    sec = wf_by_name["security.yml"]
    assert "pull_request" in sec.on and not (sec.on.get("pull_request") or {}).get("paths"), "security.yml must run on every PR"
    for tool in ("zizmor", "actionlint"):
        job = sec.jobs.get(tool)
        assert job, f"security.yml has no {tool} job"
        runs = " ".join(s.get("run", "") for s in job["steps"])
        assert tool in runs and "continue-on-error" not in yaml.safe_dump(job)
    assert "--persona=pedantic" in yaml.safe_dump(sec.jobs["zizmor"])


# ---------------------------------------------------------------------- gates
NON_BLOCKING = [
    (re.compile(r"\|\|\s*(true|:)\b"), "|| true"),
    (re.compile(r"--exit-code[ =]0\b"), "--exit-code 0"),
    (re.compile(r"^\s*set \+e\b", re.M), "set +e"),
    (re.compile(r"--audit-level[ =](none|low|moderate)\b"), "npm audit below high"),
    (re.compile(r"--no-error\b|--severity[ =]INFO"), "reporting-only flag"),
]


def test_p18_no_non_blocking_security_steps(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            if job_id.endswith("-advisory") or str(job.get("name", "")).endswith("-advisory"):
                continue
            if job.get("continue-on-error"):
                bad.append(f"{wf.name}:{job_id}: continue-on-error")
            for i, step in enumerate(job.get("steps") or []):
                if step.get("continue-on-error"):
                    bad.append(f"{step_label(wf, job_id, i, step)}: continue-on-error")
                w = step.get("with") or {}
                if str(w.get("exit-code", "")) == "0" or w.get("fail-on-error") is False:
                    bad.append(f"{step_label(wf, job_id, i, step)}: exit-code 0")
                for rx, why in NON_BLOCKING:
                    if rx.search(step.get("run", "")):
                        bad.append(f"{step_label(wf, job_id, i, step)}: {why}")
    assert not bad, "security steps must block (a report-only job is named *-advisory):\n" + "\n".join(bad)


def test_p19_trivy_yaml():
    cfg = load_yaml(ROOT / "trivy.yaml")
    assert cfg.get("exit-code") == 1
    assert sorted(cfg.get("severity", [])) == ["CRITICAL", "HIGH"]
    assert (cfg.get("vulnerability") or {}).get("ignore-unfixed") is True
    scan = cfg.get("scan") or {}
    assert {"vuln", "secret", "misconfig"} <= set(scan.get("scanners", []))
    assert scan.get("skip-dirs"), "trivy.yaml: skip paths"
    assert cfg.get("ignorefile") == ".trivyignore.yaml"
    assert "format" not in cfg, "SARIF/other formats belong to separate reporting steps"


def test_p19_trivy_runs_use_the_config(workflows):
    bad = [
        step_label(wf, job, i, step)
        for wf in workflows
        for job, i, step, run in run_scripts(wf)
        if re.search(r"trivy\S*\"?\s+(fs|image|repo|config)\b", run) and "--config trivy.yaml" not in run
    ]
    assert not bad, "every trivy run reads trivy.yaml:\n" + "\n".join(bad)


def _check_expiry(label: str, when, problems: list[str]):
    if not when:
        problems.append(f"{label}: no expiry")
        return
    date = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when)[:10])
    if date < TODAY:
        problems.append(f"{label}: expired on {date}")
    elif (date - TODAY).days > MAX_EXCEPTION_DAYS:
        problems.append(f"{label}: expiry {date} is more than {MAX_EXCEPTION_DAYS} days out")


def test_p20_trivyignore_entries_have_statement_and_expiry():
    data = load_yaml(ROOT / ".trivyignore.yaml") or {}
    problems: list[str] = []
    for kind in ("vulnerabilities", "misconfigurations", "secrets", "licenses"):
        for e in data.get(kind) or []:
            label = f".trivyignore.yaml {kind} {e.get('id')}"
            if not str(e.get("statement", "")).strip():
                problems.append(f"{label}: no statement")
            _check_expiry(label, e.get("expired_at"), problems)
    assert not problems, "\n".join(problems)


def test_p20_deny_toml_ignores_have_reason_and_expiry():
    cfg = tomllib.loads((ROOT / "deny.toml").read_text(encoding="utf-8"))
    problems: list[str] = []
    for e in cfg.get("advisories", {}).get("ignore", []):
        if isinstance(e, str):
            problems.append(f"deny.toml advisory {e}: no reason")
            continue
        reason = e.get("reason", "")
        m = re.search(r"expires (\d{4}-\d{2}-\d{2})", reason)
        if len(reason) < 20:
            problems.append(f"deny.toml advisory {e.get('id')}: no real reason")
        _check_expiry(f"deny.toml advisory {e.get('id')}", m and m.group(1), problems)
    for e in cfg.get("licenses", {}).get("exceptions", []):
        if not e.get("reason"):
            problems.append(f"deny.toml licence exception {e.get('name')}: no reason")
    for e in cfg.get("bans", {}).get("skip", []) + cfg.get("bans", {}).get("skip-tree", []):
        if isinstance(e, str) or not e.get("reason"):
            problems.append(f"deny.toml bans skip {e}: no reason")
    assert not problems, "\n".join(problems)


def test_p20_secrets_baseline_is_audited_with_reasons():
    data = json.loads((ROOT / ".secrets.baseline").read_text(encoding="utf-8"))
    problems = [
        f"{f}:{e.get('line_number')} {e['type']}: "
        + ("marked as a real secret" if e.get("is_secret") is not False else "no reason")
        for f, items in data["results"].items()
        for e in items
        if e.get("is_secret") is not False or len(str(e.get("reason", "")).strip()) < 10
    ]
    assert not problems, "audit every baseline entry (scripts/security-lib/secrets_baseline.py):\n" + "\n".join(problems)


def test_p20_zizmor_ignores_have_reasons():
    lines = (ROOT / "zizmor.yml").read_text(encoding="utf-8").splitlines()
    in_ignore, reason_seen, bad = False, False, []
    for line in lines:
        s = line.strip()
        if s.startswith("ignore:"):
            in_ignore, reason_seen = True, False
        elif in_ignore and s.startswith("# reason:"):
            reason_seen = True
        elif in_ignore and s.startswith("- "):
            if not reason_seen:
                bad.append(s)
            reason_seen = False
        elif in_ignore and s and not s.startswith("#"):
            in_ignore = False
    assert not bad, f"zizmor.yml ignores without a `# reason:` line: {bad}"
    cfg = load_yaml(ROOT / "zizmor.yml") or {}
    disabled = [k for k, v in (cfg.get("rules") or {}).items() if (v or {}).get("disable")]
    assert not disabled, f"zizmor.yml switches whole audits off: {disabled}"


def test_p21_image_scans_target_pushed_digest(wf_by_name):
    rel = wf_by_name["release.yml"]
    scan_steps = [(j, i, s) for j, i, s in rel.steps() if re.search(r"trivy\S*\"?\s+image\b", s.get("run", ""))]
    assert scan_steps, "release.yml scans no image"
    for job, i, step in scan_steps:
        assert '"$IMAGE_REF"' in step["run"], step_label(rel, job, i, step)
        ref = str((rel.jobs[job].get("env") or {}).get("IMAGE_REF", ""))
        assert re.search(r"@\$\{\{\s*matrix\.digest\s*\}\}$", ref), f"{job}: IMAGE_REF is not image@digest"
        for inc in rel.jobs[job]["strategy"]["matrix"]["include"]:
            assert re.search(r"needs\.build-\w+\.outputs\.digest", inc["digest"]), inc


def test_p22_deny_toml_policy():
    cfg = tomllib.loads((ROOT / "deny.toml").read_text(encoding="utf-8"))
    assert cfg["sources"]["unknown-registry"] == "deny"
    assert cfg["sources"]["unknown-git"] == "deny"
    assert not cfg["sources"].get("allow-git")
    assert cfg["sources"].get("allow-registry") == ["https://github.com/rust-lang/crates.io-index"]
    assert cfg["bans"]["wildcards"] == "deny"
    assert cfg["advisories"]["yanked"] == "deny"
    allow = cfg["licenses"]["allow"]
    assert allow and not any(re.search(r"GPL|AGPL|SSPL|BUSL", a) for a in allow), allow
    assert tracked("Cargo.lock"), "Cargo.lock must be committed"


CARGO_CMD = re.compile(r"\bcargo (?:\+\S+ )?(build|test|run|clippy|check|doc|install|fetch|auditable build|nextest run|deny)\b[^\n]*")


def test_p22_every_cargo_command_is_locked(workflows):
    bad = []
    texts = [(wf.name, run) for wf in workflows for _, _, _, run in run_scripts(wf)]
    texts += [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in dockerfiles()]
    pre = ROOT / ".pre-commit-config.yaml"
    texts.append((pre.name, pre.read_text(encoding="utf-8")))
    for name, text in texts:
        text = re.sub(r"\\\n\s*", " ", text)  # join continued lines
        for m in CARGO_CMD.finditer(text):
            if "--locked" not in m.group(0) and "--frozen" not in m.group(0):
                bad.append(f"{name}: {m.group(0).strip()}")
    assert not bad, "cargo commands must use --locked:\n" + "\n".join(bad)


def test_p23_npm_ci_ignore_scripts_and_blocking_audit(workflows, wf_by_name):
    bad = []
    for wf in workflows:
        for job, i, step, run in run_scripts(wf):
            for m in re.finditer(r"\bnpm ci\b[^\n]*", run):
                if "--ignore-scripts" not in m.group(0):
                    bad.append(f"{step_label(wf, job, i, step)}: {m.group(0)}")
    web_df = ROOT / "web/Dockerfile"
    if tracked("web/Dockerfile"):
        for m in re.finditer(r"\bnpm (ci|install|i)\b[^\n]*", web_df.read_text(encoding="utf-8")):
            if not m.group(0).startswith("npm ci") or "--ignore-scripts" not in m.group(0):
                bad.append(f"web/Dockerfile: {m.group(0)}")
    assert not bad, "\n".join(bad)
    audit = [run for _, _, _, run in run_scripts(wf_by_name["security.yml"]) if "npm audit" in run]
    assert any("npm audit --omit=dev --audit-level=high" in r for r in audit), "security.yml: blocking npm audit"


def test_p24_semgrep_explicit_rules_and_codeql_languages(wf_by_name):
    sec = wf_by_name["security.yml"]
    runs = [s.get("run", "") for s in sec.jobs["semgrep"]["steps"]]
    scan = next(r for r in runs if "semgrep\" scan" in r or "semgrep scan" in r)
    assert "--config .semgrep/rules" in scan and re.search(r"--config p/\w+", scan)
    assert "auto" not in scan and "--metrics=off" in scan and "--error" in scan
    assert any("--test" in r for r in runs), "project rules self-test"
    langs = set(sec.jobs["codeql"]["strategy"]["matrix"]["language"])
    assert {"rust", "javascript-typescript", "actions"} <= langs


def test_p24_project_rules_each_have_a_test_file():
    rules = sorted((ROOT / ".semgrep/rules").glob("*.yaml"))
    assert len(rules) >= 5
    for r in rules:
        tests = [p for p in r.parent.glob(r.stem + ".*") if p.suffix not in (".yaml", ".yml")]
        assert tests, f"{r.name}: no test file"
        text = tests[0].read_text(encoding="utf-8")
        assert "ruleid:" in text and "ok:" in text, f"{tests[0].name}: needs a hit and a miss"


def test_p25_sarif_uploads_one_file_each_with_unique_category(workflows):
    seen: dict[str, str] = {}
    bad = []
    for wf in workflows:
        for job, i, step in wf.steps():
            if not str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif"):
                continue
            w = step.get("with") or {}
            f, cat = str(w.get("sarif_file", "")), str(w.get("category", ""))
            if not f.endswith(".sarif"):
                bad.append(f"{step_label(wf, job, i, step)}: sarif_file must be one file")
            if not cat:
                bad.append(f"{step_label(wf, job, i, step)}: no category")
            key = cat.replace("${{ matrix.component }}", "*")
            if key in seen and seen[key] != f"{wf.name}:{job}":
                bad.append(f"{step_label(wf, job, i, step)}: category {cat} also used by {seen[key]}")
            seen[key] = f"{wf.name}:{job}"
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------------- artifacts
def test_p26_each_image_built_once_with_provenance_and_sbom(wf_by_name):
    rel = wf_by_name["release.yml"]
    builds = [(j, s) for j, _, s in rel.steps() if str(s.get("uses", "")).startswith("docker/build-push-action")]
    files = sorted(s["with"]["file"] for _, s in builds)
    assert files == ["api/Dockerfile", "web/Dockerfile"], files
    for job, s in builds:
        w = s["with"]
        assert w.get("push") is True and w.get("provenance") == "mode=max" and w.get("sbom") is True, job
        assert s.get("id") == "build" and "steps.build.outputs.digest" in str(rel.jobs[job]["outputs"]["digest"])
    for wf in release_and_called(wf_by_name):
        for job, i, step, run in run_scripts(wf):
            assert not re.search(r"docker (buildx )?build\b", run), step_label(wf, job, i, step)


def test_p27_dockerfile_from_pinned_by_digest():
    dfs = dockerfiles()
    if not dfs:
        pytest.skip("no Dockerfile in git yet")
    bad = []
    for df in dfs:
        stages: set[str] = set()
        for n, line in enumerate(df.read_text(encoding="utf-8").splitlines(), 1):
            m = re.match(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
            if not m:
                continue
            image, alias = m.group(1), m.group(2)
            if image not in stages and image != "scratch" and not DIGEST_IMAGE_RE.match(image):
                bad.append(f"{df.relative_to(ROOT)}:{n}: {image}")
            if alias:
                stages.add(alias)
            if re.match(r"^#\s*syntax=", line) and "@sha256:" not in line:
                bad.append(f"{df.relative_to(ROOT)}:{n}: syntax directive not pinned")
    assert not bad, "every FROM must be name:tag@sha256:...:\n" + "\n".join(bad)


def sign_job(wf_by_name):
    rel = wf_by_name["release.yml"]
    return rel, rel.jobs["sign"]


def test_p28_sign_by_digest_keyless_after_every_gate(wf_by_name):
    rel, job = sign_job(wf_by_name)
    assert {"ci", "security", "scan", "build-api", "build-web"} <= set(job["needs"])
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert re.search(r'cosign sign --yes "\$IMAGE_REF"', runs)
    assert "--key" not in runs, "keyless signing only"
    assert permissions_of(job).get("id-token") == "write"
    assert str(job["env"]["IMAGE_REF"]).endswith("@${{ matrix.digest }}")


def test_p29_sbom_from_digest_attested_and_auditable_binary(wf_by_name):
    rel, job = sign_job(wf_by_name)
    steps = {str(s.get("uses", "")).split("@")[0]: s for s in job["steps"] if "uses" in s}
    assert steps["anchore/sbom-action"]["with"]["image"] == "${{ env.IMAGE_REF }}"
    for s in job["steps"]:
        if str(s.get("uses", "")).startswith("actions/attest-sbom"):
            assert s["with"]["subject-digest"] == "${{ matrix.digest }}"
    spa = [s.get("run", "") for s in job["steps"] if "cyclonedx-npm" in s.get("run", "")]
    assert spa and "--package-lock-only" in spa[0], "release attests a source SBOM of the SPA's npm dependencies"
    attests = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/attest-sbom")]
    assert {s["with"]["sbom-path"] for s in attests} >= {"sbom-${{ matrix.component }}.spdx.json", "sbom-web-npm.cdx.json"}
    if tracked("api/Dockerfile"):
        assert "cargo auditable build" in (ROOT / "api/Dockerfile").read_text(encoding="utf-8")
    script = (ROOT / "scripts/test-security").read_text(encoding="utf-8")
    assert "cyclonedx-npm" in script and "cargo cyclonedx" in script, "source SBOMs for the SPA and the workspace"


def test_p30_slsa_provenance_for_every_digest(wf_by_name):
    rel, job = sign_job(wf_by_name)
    prov = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/attest-build-provenance")]
    assert prov and prov[0]["with"]["subject-digest"] == "${{ matrix.digest }}"
    comps = {i["component"] for i in job["strategy"]["matrix"]["include"]}
    assert comps == {"api", "web"}


def test_p31_p32_verify_exact_identity_and_negative_check(wf_by_name):
    rel = wf_by_name["release.yml"]
    job = rel.jobs["verify"]
    assert "sign" in job["needs"]
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert re.search(r'--certificate-identity "https://github.com/\$\{GITHUB_REPOSITORY\}/\$\{SIGNER_WORKFLOW\}@\$\{GITHUB_REF\}"', runs)
    assert rel.data["env"]["SIGNER_WORKFLOW"] == ".github/workflows/release.yml"
    assert rel.data["env"]["OIDC_ISSUER"] == "https://token.actions.githubusercontent.com"
    assert '--certificate-oidc-issuer "$OIDC_ISSUER"' in runs
    assert "gh attestation verify" in runs and "https://slsa.dev/provenance/v1" in runs
    neg = [s for s in job["steps"] if "Negative" in s.get("name", "")]
    assert neg and re.search(r"if cosign verify .*\n?.*ci\.yml", neg[0]["run"]) and "exit 1" in neg[0]["run"]


def test_p33_no_mutable_tags_for_production(wf_by_name):
    rel = wf_by_name["release.yml"]
    for job, i, step in rel.steps():
        if str(step.get("uses", "")).startswith("docker/metadata-action"):
            assert "latest=false" in str(step["with"].get("flavor")), step_label(rel, job, i, step)
    if not tracked("compose.yml"):
        pytest.skip("compose.yml not in git yet")
    services = load_yaml(ROOT / "compose.yml")["services"]
    bad = [
        f"{n}: {s.get('image')}"
        for n, s in services.items()
        if not re.search(r"@(sha256:[0-9a-f]{64}|\$\{[A-Z0-9_]+DIGEST)", str(s.get("image", "")))
    ]
    assert not bad, "compose images must be pinned by digest:\n" + "\n".join(bad)


def test_p34_dependabot_covers_everything_with_cooldown():
    cfg = load_yaml(ROOT / ".github/dependabot.yml")
    seen: dict[str, set[str]] = {}
    bad = []
    for u in cfg["updates"]:
        dirs = u.get("directories") or [u.get("directory")]
        seen.setdefault(u["package-ecosystem"], set()).update(dirs)
        if int((u.get("cooldown") or {}).get("default-days", 0)) < 7:
            bad.append(f"{u['package-ecosystem']}: cooldown < 7 days")
    assert not bad, bad
    assert {"cargo", "npm", "docker", "docker-compose", "github-actions", "pre-commit"} <= set(seen)
    assert "/web" in seen["npm"]
    for df in dockerfiles():
        assert "/" + df.parent.relative_to(ROOT).as_posix() in seen["docker"], f"dependabot misses {df}"


def test_p35_scorecard_and_security_md(wf_by_name):
    sc = wf_by_name["scorecard.yml"]
    assert any(str(s.get("uses", "")).startswith("ossf/scorecard-action") for _, _, s in sc.steps())
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert re.search(r"security/advisories/new|[\w.+-]+@[\w-]+\.\w+", text), "SECURITY.md: a contact"
    assert re.search(r"\d+\s*(business )?days", text), "SECURITY.md: a disclosure timeline"
    assert re.search(r"(?i)supported versions", text)


# ---------------------------------------------------------------------- runtime (p36)
def final_stage(df_text: str) -> str:
    parts = re.split(r"(?im)^\s*FROM\s", df_text)
    return parts[-1]


@pytest.mark.parametrize("name", ["api/Dockerfile", "web/Dockerfile"])
def test_p36_images_non_root_numeric_uid_high_port(name):
    if not tracked(name):
        pytest.skip(f"{name} not in git yet")
    last = final_stage((ROOT / name).read_text(encoding="utf-8"))
    users = re.findall(r"(?im)^\s*USER\s+(\S+)", last)
    assert users, f"{name}: final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, f"{name}: USER {users[-1]} must be a numeric non-root UID"
    ports = [int(p.split("/")[0]) for p in re.findall(r"(?im)^\s*EXPOSE\s+(.+)$", last)[0].split()] if re.search(r"(?im)^\s*EXPOSE", last) else []
    assert ports and all(p >= 1024 for p in ports), f"{name}: EXPOSE {ports} must be >= 1024"
    assert re.search(r"(?im)^\s*HEALTHCHECK\s+", last), f"{name}: no HEALTHCHECK"


def test_p36_api_image_has_no_shell():
    if not tracked("api/Dockerfile"):
        pytest.skip("api/Dockerfile not in git yet")
    text = (ROOT / "api/Dockerfile").read_text(encoding="utf-8")
    base = re.findall(r"(?im)^\s*FROM\s+(\S+)", text)[-1]
    assert base == "scratch" or "distroless" in base, f"api runtime base {base} may ship a shell"
    last = final_stage(text)
    assert not re.search(r"(?im)^\s*RUN\s", last), "RUN in the final stage needs a shell"
    assert not re.search(r'(?im)^\s*(CMD|ENTRYPOINT|HEALTHCHECK.*CMD)\s+(?!\[)', last), "shell-form command"


def compose_services():
    if not tracked("compose.yml"):
        pytest.skip("compose.yml not in git yet")
    return load_yaml(ROOT / "compose.yml")["services"]


def test_p36_compose_services_hardened():
    bad = []
    for name, s in compose_services().items():
        if s.get("read_only") is not True:
            bad.append(f"{name}: read_only")
        if [c.upper() for c in s.get("cap_drop", [])] != ["ALL"]:
            bad.append(f"{name}: cap_drop [ALL]")
        if "no-new-privileges:true" not in (s.get("security_opt") or []):
            bad.append(f"{name}: no-new-privileges:true")
        limits = ((s.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        if not {"cpus", "memory", "pids"} <= set(limits):
            bad.append(f"{name}: cpus/memory/pids limits")
        hc = s.get("healthcheck") or {}
        one_shot = str(s.get("restart")) == "no"
        if not hc.get("test") and not (one_shot and hc.get("disable")):
            bad.append(f"{name}: healthcheck")
        user = str(s.get("user", ""))
        uid = user.split(":")[0]
        if not uid.isdigit():
            bad.append(f"{name}: numeric user")
        elif int(uid) == 0 and name not in ROOT_SERVICE_EXCEPTIONS:
            bad.append(f"{name}: runs as root")
        for v in s.get("volumes") or []:
            src = v.split(":")[0] if isinstance(v, str) else str(v.get("source", ""))
            if "docker.sock" in str(v):
                bad.append(f"{name}: mounts the Docker socket")
            elif src.startswith((".", "/")) and not (str(v).endswith(":ro") or (isinstance(v, dict) and v.get("read_only"))):
                bad.append(f"{name}: writable bind mount {v}")
        if s.get("privileged"):
            bad.append(f"{name}: privileged")
    assert not bad, "\n".join(bad)


def test_p36_compose_only_edge_publishes_high_container_ports():
    bad = []
    for name, s in compose_services().items():
        for p in s.get("ports") or []:
            target = int(str(p).split(":")[-1].split("/")[0]) if not isinstance(p, dict) else int(p["target"])
            if name != "traefik":
                bad.append(f"{name}: publishes {p}")
            if target < 1024:
                bad.append(f"{name}: container port {target} < 1024")
    assert not bad, "\n".join(bad)
