"""Shared loaders for the policy tests (pipeline.md properties, checked by reading files)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts" / "security-lib"))


def tracked(path: str) -> bool:
    """True when `path` is committed (or staged) in git: checks of other owners' files
    (Dockerfiles, compose.yml) apply from the moment the file exists in git."""
    r = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True)
    return r.returncode == 0


def tracked_files(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "--", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / p for p in out.stdout.split()]


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(wf: dict) -> dict:
    # PyYAML reads the bare key `on` as the boolean True.
    on = wf.get("on", wf.get(True)) or {}
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {k: None for k in on}
    return on


class Workflow:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.splitlines()
        self.data = yaml.safe_load(self.text)
        self.on = triggers(self.data)
        self.jobs: dict = self.data.get("jobs", {})

    def steps(self):
        for job_id, job in self.jobs.items():
            for i, step in enumerate(job.get("steps", []) or []):
                yield job_id, i, step


def _workflows() -> list[Workflow]:
    return [Workflow(p) for p in tracked_files(".github/workflows/*.yml", ".github/workflows/*.yaml")]


@pytest.fixture(scope="session")
def workflows() -> list[Workflow]:
    wfs = _workflows()
    assert wfs, "no workflow in .github/workflows"
    return wfs


@pytest.fixture(scope="session")
def wf_by_name(workflows) -> dict[str, Workflow]:
    return {w.name: w for w in workflows}


def dockerfiles() -> list[Path]:
    return tracked_files("Dockerfile", "*/Dockerfile", "*.Dockerfile")
