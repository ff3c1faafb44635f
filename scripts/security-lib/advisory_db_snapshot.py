#!/usr/bin/env python3
"""Make cargo-deny read the RustSec snapshot in ../shared/advisory-db offline.

    advisory_db_snapshot.py SNAPSHOT_DIR WORK_DIR

cargo-deny opens its advisory database as a git checkout under `db-path`, in a folder
named after the database URL; the snapshot is plain files. This copies it into
WORK_DIR/db/<that folder>, commits it once in a throw-away repository, and writes
WORK_DIR/deny.toml: the project's deny.toml with `db-path` pointing there. Nothing else
in the policy changes, so `cargo deny check` runs all four sections offline exactly as
on GitHub, where the live database is fetched instead.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# cargo-deny's folder name for https://github.com/rustsec/advisory-db (tame-index's
# url_to_local_dir). If a cargo-deny release changes it, the gate fails with
# "cannot change to '.../advisory-db-…'" and this constant follows.
DB_DIR = "advisory-db-3157b0e258782691"


def main(snapshot: Path, work: Path) -> int:
    if not (snapshot / "crates").is_dir():
        print(f"{snapshot}: not a RustSec advisory database (no crates/)", file=sys.stderr)
        return 1
    db = work / "db" / DB_DIR
    shutil.copytree(snapshot, db, dirs_exist_ok=False)
    for p in [db, *db.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)  # the shared copy is read-only
    git = ["git", "-c", "user.name=advisory-db snapshot", "-c", "user.email=snapshot@invalid",
           "-c", "commit.gpgsign=false", "-C", str(db)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", f"snapshot of {snapshot}"]):
        subprocess.run([*git, *args], check=True)
    text = (ROOT / "deny.toml").read_text(encoding="utf-8")
    if "\n[advisories]\n" not in text:
        print("deny.toml has no [advisories] table", file=sys.stderr)
        return 1
    text = text.replace("\n[advisories]\n", f'\n[advisories]\ndb-path = "{work / "db"}"\n', 1)
    (work / "deny.toml").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
