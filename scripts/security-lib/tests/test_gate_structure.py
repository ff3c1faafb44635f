"""Blocking as a structure: one definition of each gate, run the same way everywhere.

A gate step in a workflow is exactly `scripts/test-security GATE` (its exit code is the
step's), with no `if:`, `continue-on-error`, shell override or trailing `|| ...`; the
gates the workflows run are exactly the script's gates; no workflow runs a gate tool
itself; and inside the script no gate swallows its tool's exit code or narrows it.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from conftest import ROOT, Workflow

SCRIPT = ROOT / "scripts/test-security"
GITHUB_GATES_LIB = ROOT / "scripts/security-lib/github_gates.sh"
GATE_RUN = re.compile(r'^scripts/test-security (?P<gate>[a-z][a-z-]*|"\$GATE")$')
# Where each GitHub-only gate must run (the others: security.yml, on every pull request).
RELEASE_ONLY = {"base-images": "build-image.yml", "trivy-image": "release.yml"}
# Gates that also run in the release, for their output (the SBOM files it attests).
ALSO_IN_RELEASE = {"sbom": "release.yml"}

# Gate tools: a workflow that calls one directly defines a second, unsynchronised gate.
GATE_TOOLS = re.compile(
    r"\b(zizmor|gitleaks|trivy|semgrep|cargo[ -]deny|cargo[ -]audit|actionlint|hadolint|checkov|"
    r"detect-secrets|npm audit|npm sbom|check-jsonschema|yamllint|shellcheck|pytest|cyclonedx|"
    r"codeql_results|tool_versions\.py|exceptions\.py)\b"
)
# An exit status thrown away or turned into success.
SWALLOW = re.compile(
    r"\|\|\s*(true|:|echo\b|printf\b|exit\s+0\b|return\s+0\b)|;\s*(true|exit 0)\s*$|^\s*set \+e\b|--exit-code[ =]0\b",
    re.M,
)
# Installs whose result is not fixed by a lock file or a checksum.
UNLOCKED = re.compile(
    r"\bnpx\b|\bnpm (install|i|ci|exec)\b|\bpip3? install\b|\bpipx\b|\buv (tool|pip)\b|\bcargo (install|binstall)\b|"
    r"\bgo (install|get)\b|\bgem install\b|\bapt(-get)? install\b|curl[^\n|]*\|\s*(ba|z)?sh\b|scripts/install-"
)


def script_lists() -> tuple[list[str], list[str]]:
    run = lambda flag: subprocess.run(["bash", str(SCRIPT), flag], cwd=ROOT, capture_output=True, text=True, check=True)
    return run("--list").stdout.split(), run("--list-github").stdout.split()


def gate_steps(wf: Workflow):
    """(job id, step, [gate names]) for every step that runs scripts/test-security."""
    for job_id, job in wf.jobs.items():
        for step in job.get("steps") or []:
            run = str(step.get("run", ""))
            if "scripts/test-security" not in run:
                continue
            m = GATE_RUN.match(run.strip())
            if not m:
                yield job_id, step, None
                continue
            if m.group("gate") == '"$GATE"':
                env = str((step.get("env") or {}).get("GATE", ""))
                gates = job.get("strategy", {}).get("matrix", {}).get("gate") if env == "${{ matrix.gate }}" else None
                yield job_id, step, list(gates) if gates else None
            else:
                yield job_id, step, [m.group("gate")]


def test_every_gate_runs_on_github_and_nothing_else(workflows, wf_by_name):
    offline, github = script_lists()
    assert offline and github and not set(offline) & set(github)
    where: dict[str, set[str]] = {}
    for wf in workflows:
        for _, _, gates in gate_steps(wf):
            for g in gates or []:
                where.setdefault(g, set()).add(wf.name)
    unknown = set(where) - set(offline) - set(github)
    missing = (set(offline) | set(github)) - set(where)
    assert not unknown, f"workflows run gates the script does not define: {sorted(unknown)}"
    assert not missing, f"gates of scripts/test-security that no workflow runs: {sorted(missing)}"
    for g in set(offline) | set(github):
        want = {RELEASE_ONLY.get(g, "security.yml")} | ({ALSO_IN_RELEASE[g]} if g in ALSO_IN_RELEASE else set())
        assert where[g] == want, f"{g} runs in {sorted(where[g])}, expected {sorted(want)}"


def test_security_matrix_lists_the_offline_gates_in_order(wf_by_name):
    offline, _ = script_lists()
    matrix = wf_by_name["security.yml"].jobs["gate"]["strategy"]["matrix"]["gate"]
    assert matrix[: len(offline)] == offline, "security.yml's gate matrix starts with `--list`, in order"


def test_gate_steps_are_exactly_the_command(workflows):
    bad = []
    for wf in workflows:
        for job_id, step, gates in gate_steps(wf):
            label = f"{wf.name}:{job_id}:{step.get('name')}"
            if gates is None:
                bad.append(f"{label}: run must be exactly `scripts/test-security GATE` (got {step['run']!r})")
            for key in ("if", "continue-on-error", "shell", "working-directory", "timeout-minutes"):
                if key in step:
                    bad.append(f"{label}: `{key}:` on a gate step")
            job = wf.jobs[job_id]
            for key in ("if", "continue-on-error"):
                if key in job:
                    bad.append(f"{wf.name}:{job_id}: `{key}:` on a job that runs a gate")
            if (job.get("defaults") or {}).get("run"):
                bad.append(f"{wf.name}:{job_id}: `defaults.run` changes how the gate step runs")
    assert not bad, "\n".join(bad)


def test_reusable_gate_workflows_are_called_unconditionally(workflows):
    gate_workflows = {wf.name for wf in workflows if any(True for _ in gate_steps(wf))}
    bad = [
        f"{wf.name}:{job_id}: calls {job['uses']} under `{key}:`"
        for wf in workflows
        for job_id, job in wf.jobs.items()
        if str(job.get("uses", "")).rsplit("/", 1)[-1] in gate_workflows
        for key in ("if", "continue-on-error")
        if key in job
    ]
    assert not bad, "\n".join(bad)


def test_no_workflow_runs_a_gate_tool_directly(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            for step in job.get("steps") or []:
                run = re.sub(r"(?m)^\s*#.*$", "", str(step.get("run", "")))
                run = re.sub(r"scripts/(test|install)-security( [a-z\"$-]+)*", "", run)
                m = GATE_TOOLS.search(run)
                if m:
                    bad.append(f"{wf.name}:{job_id}:{step.get('name')}: runs {m.group(1)} (use scripts/test-security)")
    assert not bad, "\n".join(bad)


def test_sarif_uploads_are_the_gates_that_write_sarif(wf_by_name):
    text = SCRIPT.read_text(encoding="utf-8") + GITHUB_GATES_LIB.read_text(encoding="utf-8")
    writes = set(re.findall(r"\b([a-z][a-z-]*)\.sarif\b", text)) - {"trivy-image", "GATE"}
    uploads = set(wf_by_name["security.yml"].jobs["sarif"]["strategy"]["matrix"]["gate"])
    assert uploads == writes, f"security.yml sarif matrix {sorted(uploads)} != gates writing SARIF {sorted(writes)}"


def test_jobs_with_write_tokens_install_nothing_unlocked(workflows):
    bad = []
    for wf in workflows:
        for job_id, job in wf.jobs.items():
            perms = job.get("permissions") or {}
            writes = sorted(k for k, v in perms.items() if v == "write") if isinstance(perms, dict) else [perms]
            if not writes or "uses" in job:
                continue
            for step in job.get("steps") or []:
                run = str(step.get("run", ""))
                m = UNLOCKED.search(run)
                if m:
                    bad.append(f"{wf.name}:{job_id} ({', '.join(writes)}: write): {m.group(0)!r} in {step.get('name')!r}")
    assert not bad, "jobs holding a write token run no npx and no unlocked install:\n" + "\n".join(bad)


# ------------------------------------------------------------------ the script itself
def gate_functions() -> dict[str, str]:
    """Gate name -> body of its g_* function, from the script and the GitHub-gates file."""
    text = SCRIPT.read_text(encoding="utf-8") + "\n" + GITHUB_GATES_LIB.read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"(?ms)^g_([a-z_]+)\(\) \{\n(.*?)^\}", text):
        out[m.group(1).replace("_", "-")] = m.group(2)
    return out


def test_every_gate_has_a_function_and_none_swallows_exit_codes():
    offline, github = script_lists()
    bodies = gate_functions()
    assert set(bodies) == set(offline) | set(github), sorted(set(bodies) ^ (set(offline) | set(github)))
    bad = [f"g_{name}: {m.group(0)!r}" for name, body in bodies.items() for m in SWALLOW.finditer(body)]
    assert not bad, "a gate must return its tool's exit status:\n" + "\n".join(bad)


def invocation(gate: str, tool: str) -> str:
    """The gate function's code (continuations joined, comments and report runs dropped)."""
    body = re.sub(r"\\\n\s*", " ", gate_functions()[gate])
    code = [l for l in body.splitlines() if not l.strip().startswith(("#", "report "))]
    assert any(re.search(tool, l) for l in code), f"g_{gate} does not run {tool}"
    return "\n".join(code)


@pytest.mark.parametrize(
    "gate,tool,must,must_not",
    [
        ("zizmor", r'"\$SEC/zizmor"', [r"--persona=pedantic", r"--config zizmor\.yml"], [r"--min-", r"--no-exit-codes", r"--persona=(regular|auditor)"]),
        ("cargo-deny", r"cargo deny ", [r"\bcheck\b"], [r"\bcheck\b.*\b(advisories|bans|licenses|sources)\b", r"--allow\b|-A\b|--warn\b|-W\b"]),
        ("cargo-audit", r"cargo audit ", [r"--deny warnings"], [r"--ignore [A-Z]"]),
        ("semgrep", r'"\$SEMGREP" scan', [r"--config \.semgrep/rules", r"SEMGREP_FLAGS"], [r"--config[ =]auto"]),
        ("semgrep-registry", r'"\$SEMGREP" scan', [r"--config p/rust", r"SEMGREP_FLAGS"], [r"--config[ =]auto"]),
        ("trivy-fs", r"trivy\" fs", [r"--config trivy\.yaml"], [r"--severity", r"--exit-code", r"--ignore-unfixed"]),
        ("trivy-image", r"trivy\" image", [r"--config trivy\.yaml", r'"\$IMAGE_REF"'], [r"--severity", r"--exit-code"]),
        ("gitleaks", r"gitleaks\" git", [r"--exit-code 1", r"--redact"], [r"--log-opts", r"--baseline"]),
        ("npm-audit", r"npm audit", [r"--omit=dev --audit-level=high"], [r"--audit-level[ =](none|low|moderate|critical)"]),
        ("hadolint", r"hadolint\"", [r"--failure-threshold warning"], [r"--ignore\b", r"--no-fail"]),
        ("yamllint", r"yamllint\"", [r" -s ", r"-c \.yamllint\.yml"], [r"--no-warnings"]),
        ("actionlint", r"actionlint\" -color", [], [r"-ignore\b"]),
    ],
)
def test_gate_invocations_are_not_narrowed(gate, tool, must, must_not):
    code = invocation(gate, tool)
    for rx in must:
        assert re.search(rx, code), f"g_{gate} lacks {rx}:\n{code}"
    for rx in must_not:
        m = re.search(rx, code)
        assert not m, f"g_{gate} narrows the gate ({rx}): {m and m.group(0)!r}"
    # Defaults that narrow a gate live in SEMGREP_FLAGS: they must keep --error.
    flags = re.search(r"(?s)SEMGREP_FLAGS=\((.*?)\)", SCRIPT.read_text(encoding="utf-8")).group(1)
    assert "--error" in flags and "--metrics=off" in flags


def test_the_only_env_dependent_argument_is_zizmor_online():
    """Offline and GitHub differ by construction in exactly these, each explained in the
    script: zizmor's online audits need GitHub's API; the advisory database is the local
    snapshot where one exists. Anything else reading the CI environment is a new split."""
    text = SCRIPT.read_text(encoding="utf-8") + GITHUB_GATES_LIB.read_text(encoding="utf-8")
    assert re.findall(r"\bGITHUB_ACTIONS\b", text) == ["GITHUB_ACTIONS"]
    assert not re.search(r"\$\{?CI\b|\bGITHUB_(EVENT|REF|HEAD|BASE)", text)


# ------------------------------------------------------------------ ci.yml = scripts/test
SUDO = "sudo --preserve-env=HOME,PATH,CI bash "


def test_ci_runs_the_parts_of_scripts_test(wf_by_name):
    parts = re.search(r"(?m)^parts=\(([^)]*)\)", (ROOT / "scripts/test").read_text(encoding="utf-8")).group(1).split()
    ci = wf_by_name["ci.yml"]
    runs: dict[str, str] = {}
    bad = []
    for job_id, job in ci.jobs.items():
        for step in job.get("steps") or []:
            run = str(step.get("run", "")).strip()
            if not run or run.startswith("grep -E '^[A-Z]"):
                continue
            # The pinned difference: web and edge need root (apt-get, nginx, Traefik).
            cmd = run[len(SUDO):] if run.startswith(SUDO) and job_id in ("web", "edge") else run
            if not re.fullmatch(r"scripts/(install|test)-[a-z]+", cmd):
                bad.append(f"ci.yml:{job_id}: `{run}` is not a project command")
            elif cmd.startswith("scripts/test-"):
                runs[cmd.removeprefix("scripts/test-")] = job_id
    assert not bad, "\n".join(bad)
    assert set(runs) | {"security"} == set(parts), f"ci.yml runs {sorted(runs)}, scripts/test has {parts}"
    assert all(runs[p] == p for p in runs), f"one job per part, named after it: {runs}"
