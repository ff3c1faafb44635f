#!/usr/bin/env python3
"""Run the workflows' own gate steps on this machine, exactly as written in the YAML.

    workflow_gates.py list   # every gate step: workflow, job, gate, its env and run line
    workflow_gates.py run    # run each offline gate's step (env + run, matrix expanded)

Evidence that the committed tree passes every gate the way GitHub runs it: the command
comes from the workflow file, not from this script. Expressions other than the matrix
value are blanked (`GH_TOKEN: ${{ ... github.token ... }}` becomes empty, as it is for
every gate but zizmor on GitHub). GitHub-only gates are listed, not run.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def steps():
    for path in sorted((ROOT / ".github/workflows").glob("*.yml")):
        wf = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job_id, job in (wf.get("jobs") or {}).items():
            for step in job.get("steps") or []:
                run = str(step.get("run", "")).strip()
                if not run.startswith("scripts/test-security"):
                    continue
                env = step.get("env") or {}
                if env.get("GATE") == "${{ matrix.gate }}":
                    gates = job["strategy"]["matrix"]["gate"]
                else:
                    gates = [run.split()[1]]
                for gate in gates:
                    concrete = {k: ("" if "${{" in str(v) and k != "GATE" else str(v)) for k, v in env.items()}
                    if "GATE" in concrete:
                        concrete["GATE"] = gate
                    yield path.name, job_id, gate, concrete, run


def offline_gates() -> list[str]:
    out = subprocess.run(["bash", "scripts/test-security", "--list"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def main(argv: list[str]) -> int:
    if argv[1:] == ["list"]:
        for wf, job, gate, env, run in steps():
            print(f"{wf}:{job}: {gate}: {' '.join(f'{k}={v!r}' for k, v in env.items())} {run}")
        return 0
    if argv[1:] != ["run"]:
        print(__doc__, file=sys.stderr)
        return 2
    offline, results = offline_gates(), []
    for wf, job, gate, env, run in steps():
        if gate not in offline:
            print(f"--- {wf}:{job}: {gate}: GitHub only, not run here")
            continue
        print(f"\n### {wf}:{job}: env {env} run: {run}", flush=True)
        rc = subprocess.run(["bash", "-e", "-c", run], cwd=ROOT, env={**os.environ, **env}).returncode
        results.append((gate, rc))
    failed = [g for g, rc in results if rc]
    print(f"\nworkflow gate steps run offline: {len(results) - len(failed)} passed, {len(failed)} failed {failed or ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
