"""Policy tests: the checkable properties of ../shared/pipeline.md, read from the files.

Each test names the property it checks (p01 ... p36). Signing, attestation and SARIF
upload themselves only run on GitHub; here we check the files that configure them.
Checks of files owned by others (Dockerfiles, compose.yml, web/package-lock.json)
apply as soon as the file is in git, and are skipped (with the reason) until then.
"""
from __future__ import annotations

import re
import tomllib

import pytest
import yaml

import base_images
import exceptions
import tool_versions
from conftest import ROOT, Workflow, dockerfiles, load_yaml, tracked

SHA_RE = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
VERSION_COMMENT_RE = re.compile(r"#\s*v\d+(\.\d+){0,2}\b")
DIGEST_IMAGE_RE = re.compile(r"^[\w.\-/:]+:[\w.\-]+@sha256:[0-9a-f]{64}$")

# Every third-party action the workflows may use (p02: no typosquats, no archived
# or superfluous wrappers). Adding one is a reviewed change to this list.
ALLOWED_ACTIONS = {
    "actions/checkout",
    "actions/setup-node",
    "actions/upload-artifact",
    "actions/download-artifact",
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
# Remote pre-commit hook repositories (p02 for hooks): pinned by commit, in the manifest.
ALLOWED_HOOK_REPOS = {"Yelp/detect-secrets", "adrienverge/yamllint"}
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
    expanded |= ALLOWED_HOOK_REPOS
    assert allow == expanded, f"zizmor.yml forbidden-uses allow-list differs: {sorted(allow ^ expanded)}"


def test_p02_pre_commit_hooks_pinned_to_commits():
    cfg = load_yaml(ROOT / ".pre-commit-config.yaml")
    bad = []
    for r in cfg["repos"]:
        if r["repo"] in ("local", "meta"):
            continue
        name = "/".join(r["repo"].rstrip("/").split("/")[-2:])
        if name not in ALLOWED_HOOK_REPOS:
            bad.append(f"{r['repo']}: not in the reviewed hook allow-list")
        if not re.fullmatch(r"[0-9a-f]{40}", str(r.get("rev", ""))):
            bad.append(f"{r['repo']}: rev {r.get('rev')} is not a commit SHA")
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    frozen = re.findall(r"(?m)^\s*rev:\s*[0-9a-f]{40}\s+# frozen: v\d+\.\d+\.\d+$", text)
    assert len(frozen) == sum(r["repo"] not in ("local", "meta") for r in cfg["repos"]), "each rev: SHA # frozen: vX.Y.Z"
    assert not bad, "\n".join(bad)


MANIFEST_EXPR = re.compile(r"^v?\$\{\{ (steps\.versions\.outputs\.[A-Z_]+_VERSION|needs\.versions\.outputs\.[a-z]+) \}\}$")


def test_p03_action_installed_tools_take_their_version_from_the_manifest(workflows):
    bad = []
    for wf in workflows:
        if re.search(r"(?i)\blatest\b(?!=false)", "\n".join(l.split("#")[0] for l in wf.lines)):
            bad.append(f"{wf.name}: mentions `latest`")
        for job, i, step in wf.steps():
            uses = step.get("uses", "")
            w = step.get("with", {}) or {}
            for action, key in (("anchore/sbom-action", "syft-version"), ("sigstore/cosign-installer", "cosign-release"),
                                ("actions/setup-node", "node-version")):
                if uses.startswith(action) and not MANIFEST_EXPR.match(str(w.get(key, ""))):
                    bad.append(f"{step_label(wf, job, i, step)}: {key} {w.get(key)!r} does not come from the manifest")
            run = step.get("run", "")
            if re.search(r"releases/download/|\bcurl\b|\bwget\b", run):
                bad.append(f"{step_label(wf, job, i, step)}: downloads in the workflow (scripts/install-security does, checksum-verified)")
    assert not bad, "\n".join(bad)


def test_p03_versions_job_exports_what_release_reads(wf_by_name):
    rel = wf_by_name["release.yml"]
    outputs = rel.jobs["versions"]["outputs"]
    manifest = tool_versions.load()
    for key, expr in outputs.items():
        var = re.search(r"outputs\.([A-Z_]+)", expr).group(1)
        assert var in manifest, f"release.yml versions.{key}: {var} is not in the manifest"


def test_p03_downloaded_binaries_are_checksum_verified():
    manifest = tool_versions.load()
    for tool in ("GITLEAKS", "TRIVY", "ACTIONLINT"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", manifest[f"{tool}_VERSION"]), tool
        assert re.fullmatch(r"[0-9a-f]{64}", manifest[f"{tool}_SHA256"]), tool
    text = (ROOT / "scripts/install-security").read_text(encoding="utf-8")
    assert 'sha256sum --check --strict' in text and text.count("release_binary ") >= 4
    for tool in ("gitleaks", "trivy", "actionlint"):
        assert re.search(rf'release_binary {tool} "\${tool.upper()}_VERSION" "\${tool.upper()}_SHA256"', text), tool


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
                    str(st.get("uses", "")).startswith(("github/codeql-action/upload-sarif", "github/codeql-action/analyze"))
                    for st in job.get("steps", []) or []
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


def callers(workflows, name: str) -> set[str]:
    return {wf.name for wf in workflows for j in wf.jobs.values() if str(j.get("uses", "")).endswith("/" + name)}


def test_p13_publish_jobs_behind_environment_and_main_or_tags(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            writes = {k for k, v in permissions_of(job).items() if v == "write"}
            publishes = writes & (PUBLISH_SCOPES | {"contents"})
            if not publishes or wf.name == "scorecard.yml" or "uses" in job:
                continue  # Scorecard: see test_scorecard_accepted_risk; `uses:` jobs: the called jobs are checked
            if not job.get("environment"):
                bad.append(f"{wf.name}:{job_id}: {sorted(publishes)} without environment:")
            if set(wf.on) == {"workflow_call"}:
                # A reusable publisher is as safe as its callers: release.yml only.
                if callers(workflows, wf.name) != {"release.yml"}:
                    bad.append(f"{wf.name}:{job_id}: reusable publish workflow called from {sorted(callers(workflows, wf.name))}")
                continue
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
        if set(wf.on) == {"workflow_call"}:
            pass  # a reusable workflow runs under its caller's concurrency group
        elif not isinstance(c, dict) or "group" not in c:
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
    gates = sec.jobs["gate"]["strategy"]["matrix"]["gate"]
    assert {"zizmor", "actionlint"} <= set(gates)
    assert "continue-on-error" not in yaml.safe_dump(sec.jobs["gate"])
    assert "--persona=pedantic" in (ROOT / "scripts/test-security").read_text(encoding="utf-8")


# ---------------------------------------------------------------------- gates
NON_BLOCKING = [
    (re.compile(r"\|\|\s*(true|:)(?=\s|$)"), "|| true"),
    (re.compile(r"\|\|\s*(echo|printf)\b"), "|| echo"),
    (re.compile(r"\|\|\s*(exit|return)\s+0\b"), "|| exit 0"),
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


def test_p19_trivy_runs_use_the_config():
    text = (ROOT / "scripts/security-lib/github_gates.sh").read_text(encoding="utf-8")
    runs = re.findall(r'"\$GH_BIN/trivy" (?:fs|image)[^\n]*', text)
    assert len(runs) == 4, runs  # fs and image, each blocking and as SARIF report
    bad = [r for r in runs if "--config trivy.yaml" not in r]
    assert not bad, "every trivy run reads trivy.yaml:\n" + "\n".join(bad)


def test_p20_every_exception_list_has_reasons_and_expiry():
    problems = exceptions.check()
    assert not problems, "\n".join(problems)


def test_p21_image_scans_target_pushed_digest(wf_by_name):
    rel = wf_by_name["release.yml"]
    job = rel.jobs["scan"]
    assert any(st.get("run") == "scripts/test-security trivy-image" for st in job["steps"]), "release.yml scans no image"
    assert re.search(r"^\$\{\{ matrix\.image \}\}@\$\{\{ matrix\.digest \}\}$", str(job["env"]["IMAGE_REF"]))
    for inc in job["strategy"]["matrix"]["include"]:
        assert re.search(r"needs\.build-\w+\.outputs\.digest", inc["digest"]), inc
    assert '[[ "${IMAGE_REF:-}" =~ ^[a-z0-9./_-]+@sha256:[0-9a-f]{64}$ ]]' in (
        ROOT / "scripts/security-lib/github_gates.sh").read_text(encoding="utf-8"), "trivy-image refuses a tag"


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
    assert "npm-audit" in wf_by_name["security.yml"].jobs["gate"]["strategy"]["matrix"]["gate"]


def test_p24_semgrep_explicit_rules_and_codeql_languages(wf_by_name):
    sec = wf_by_name["security.yml"]
    assert {"semgrep", "semgrep-registry"} <= set(sec.jobs["gate"]["strategy"]["matrix"]["gate"])
    text = (ROOT / "scripts/test-security").read_text(encoding="utf-8")
    assert "--test --metrics=off" in text, "project rules self-test"
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
            key = cat.replace("${{ matrix.component }}", "*").replace("${{ matrix.gate }}", "<gate>")
            if key in seen and seen[key] != f"{wf.name}:{job}":
                bad.append(f"{step_label(wf, job, i, step)}: category {cat} also used by {seen[key]}")
            seen[key] = f"{wf.name}:{job}"
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------------- artifacts
def build_calls(wf_by_name) -> dict[str, dict]:
    rel = wf_by_name["release.yml"]
    return {j: job for j, job in rel.jobs.items() if str(job.get("uses", "")) == "./.github/workflows/build-image.yml"}


def test_p26_each_image_built_once_by_digest_with_provenance_and_sbom(wf_by_name):
    calls = build_calls(wf_by_name)
    assert sorted(c["with"]["component"] for c in calls.values()) == ["api", "web"]
    assert sorted(calls) == ["build-api", "build-web"]
    bi = wf_by_name["build-image.yml"]
    builds = [(j, st) for j, _, st in bi.steps() if str(st.get("uses", "")).startswith("docker/build-push-action")]
    assert len(builds) == 1, builds
    job, st = builds[0]
    w = st["with"]
    assert w["file"] == "${{ inputs.component }}/Dockerfile"
    assert w.get("provenance") == "mode=max" and w.get("sbom") is True
    # Pushed by digest only: no tag exists until the tag job, after verify.
    assert "tags" not in w and "push" not in w, "build-image.yml pushes by digest, never a tag"
    assert re.search(r"push-by-digest=true", w["outputs"]) and re.search(r"push=true", w["outputs"])
    assert st.get("id") == "build" and "steps.build.outputs.digest" in str(bi.jobs[job]["outputs"]["digest"])
    for wf in [*release_and_called(wf_by_name)]:
        for job, i, step, run in run_scripts(wf):
            assert not re.search(r"docker (buildx )?(build|push)\b", run), step_label(wf, job, i, step)


def test_p26_human_tags_only_after_verify(wf_by_name):
    rel = wf_by_name["release.yml"]
    meta = [(j, st) for j, _, st in rel.steps() if str(st.get("uses", "")).startswith("docker/metadata-action")]
    assert [j for j, _ in meta] == ["tag"], "only the tag job computes tags"
    assert "verify" in rel.jobs["tag"]["needs"]
    tagging = [(j, r) for j, _, _, r in run_scripts(rel) if "imagetools create" in r]
    assert [j for j, _ in tagging] == ["tag"]
    assert re.search(r'if \[ "\$got" != "\$DIGEST" \]', tagging[0][1]), "each tag is checked to name the verified digest"
    for wf in release_and_called(wf_by_name):
        for j, _, st in wf.steps():
            assert "tags" not in (st.get("with") or {}) or str(st.get("uses", "")).startswith("docker/metadata-action"), (wf.name, j)


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
    assert {"ci", "security", "scan", "build-api", "build-web", "source-sboms"} <= set(job["needs"])
    runs = " ".join(st.get("run", "") for st in job["steps"])
    assert re.search(r'cosign sign --yes --bundle "signatures/cosign-\$\{COMPONENT\}\.sigstore\.json" "\$IMAGE_REF"', runs)
    assert "--key" not in runs, "keyless signing only"
    assert permissions_of(job).get("id-token") == "write"
    assert str(job["env"]["IMAGE_REF"]).endswith("@${{ matrix.digest }}")
    assert not any(str(st.get("uses", "")).startswith("actions/checkout") for st in job["steps"]), "no project code near the signing token"


def test_p29_sboms_from_digest_and_lock_files_attested(wf_by_name):
    rel, job = sign_job(wf_by_name)
    scan = {str(st.get("uses", "")).split("@")[0]: st for st in rel.jobs["scan"]["steps"] if "uses" in st}
    assert scan["anchore/sbom-action"]["with"]["image"] == "${{ env.IMAGE_REF }}"
    assert not {k for k, v in permissions_of(rel.jobs["scan"]).items() if v == "write"}, "syft runs without write tokens"
    src = rel.jobs["source-sboms"]
    assert permissions_of(src) == {"contents": "read"} and any(st.get("run") == "scripts/test-security sbom" for st in src["steps"])
    attests = [st for st in job["steps"] if str(st.get("uses", "")).startswith("actions/attest-sbom")]
    assert all(st["with"]["subject-digest"] == "${{ matrix.digest }}" for st in attests)
    assert {st["with"]["sbom-path"] for st in attests} == {"sboms/sbom-${{ matrix.component }}.spdx.json", "sboms/web.cdx.json"}
    if tracked("api/Dockerfile"):
        assert "cargo auditable build" in (ROOT / "api/Dockerfile").read_text(encoding="utf-8")
    script = (ROOT / "scripts/test-security").read_text(encoding="utf-8")
    assert "npm sbom --package-lock-only --omit dev" in script and "cargo cyclonedx" in script


def test_p30_slsa_provenance_from_the_isolated_builder(wf_by_name):
    bi = wf_by_name["build-image.yml"]
    assert set(bi.on) == {"workflow_call"}
    prov = bi.jobs["provenance"]
    steps = [str(st.get("uses", "")).split("@")[0] or "run" for st in prov["steps"]]
    # Isolation: the job that holds the OIDC token runs no project code and no run: step.
    assert steps == ["step-security/harden-runner", "docker/login-action", "actions/attest-build-provenance"], steps
    att = prov["steps"][-1]["with"]
    assert att["subject-digest"] == "${{ needs.build.outputs.digest }}" and att["push-to-registry"] is True
    assert "id-token" not in permissions_of(bi.jobs["build"]), "the build steps never hold an OIDC token"
    rel = wf_by_name["release.yml"]
    assert not any(str(st.get("uses", "")).startswith("actions/attest-build-provenance") for _, _, st in rel.steps()), \
        "provenance comes only from build-image.yml (L3), not from the top-level workflow"


def test_p31_p32_verify_exact_identity_and_refusals(wf_by_name):
    rel = wf_by_name["release.yml"]
    job = rel.jobs["verify"]
    assert "sign" in job["needs"] and "verify" in rel.jobs["tag"]["needs"]
    runs = "\n".join(st.get("run", "") for st in job["steps"])
    assert re.search(r'scripts/security-lib/verify-release "\$IMAGE_REF" --repo "\$GITHUB_REPOSITORY" \\\n\s+--ref "\$GITHUB_REF" --negative', runs)
    script = (ROOT / "scripts/security-lib/verify-release").read_text(encoding="utf-8")
    assert 'wf() { echo "https://github.com/$repo/.github/workflows/$1@$ref"; }' in script
    assert '--certificate-identity "$(wf release.yml)"' in script and "ISSUER=https://token.actions.githubusercontent.com" in script
    assert '--signer-workflow "$repo/.github/workflows/$1" --source-ref "$ref"' in script
    assert "attest build-image.yml https://slsa.dev/provenance/v1" in script
    # Each refusal checks the reason, and an unsigned digest is one of them.
    refusals = re.findall(r'expect_refusal "([^"]+)" \\\n\s+\'([^\']+)\'', script)
    labels = " | ".join(label for label, _ in refusals)
    assert len(refusals) == 3 and "ci.yml" in labels and "unsigned digest" in labels, refusals
    assert all(reason for _, reason in refusals)
    assert 'if ! grep -Eq "$want" <<< "$out"; then' in script


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


# ---------------------------------------------------------------------- accepted risks
def test_scorecard_accepted_risk_stays_small(wf_by_name):
    """scorecard-action runs its image by a tag (ghcr.io/ossf/scorecard-action:vX), which
    cannot be pinned from here. Accepted while that job can do little harm: exactly these
    scopes, no checkout credentials, no other step that runs code."""
    job = wf_by_name["scorecard.yml"].jobs["analysis"]
    assert permissions_of(job) == {"contents": "read", "actions": "read", "security-events": "write", "id-token": "write"}
    assert not any("run" in st for st in job["steps"])
    assert "docs/security-pipeline.md" in wf_by_name["scorecard.yml"].text


def test_base_images_are_classified_and_signed_ones_verified_before_build(wf_by_name):
    found, problems = base_images.classify(dockerfiles())
    assert not problems, "\n".join(problems)
    signed = {base_images.repository(ref) for ref, e in found if e.get("signed")}
    assert "gcr.io/distroless/cc-debian12" in signed, signed
    bi = wf_by_name["build-image.yml"]
    assert "base-images" in bi.jobs["build"]["needs"]
