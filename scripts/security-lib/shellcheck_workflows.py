#!/usr/bin/env python3
"""Run shellcheck over every `run:` block of the workflows, the way actionlint does on
GitHub (bash, same excluded checks), so script bugs in workflows are caught offline too.

    shellcheck_workflows.py .github/workflows/*.yml
"""
from __future__ import annotations

import subprocess
import sys

import yaml

# actionlint's own exclusions: expressions are replaced before shellcheck sees the script.
EXCLUDE = "SC1091,SC2194,SC2050,SC2154,SC2157"


def main(paths: list[str]) -> int:
    failures = 0
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            wf = yaml.safe_load(fh)
        for job_id, job in (wf.get("jobs") or {}).items():
            for i, step in enumerate(job.get("steps") or []):
                if "run" not in step:
                    continue
                r = subprocess.run(
                    ["shellcheck", "--norc", "-s", "bash", "-e", EXCLUDE, "-"],
                    input=step["run"], capture_output=True, text=True,
                )
                if r.returncode:
                    failures += 1
                    print(f"{path}: job {job_id}, step {i} ({step.get('name', 'run')}):\n{r.stdout}")
    print(f"shellcheck: {failures} run block(s) with findings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
