#!/usr/bin/env python3
"""Regenerates api/tests/fixtures/legacy_hashes.json: password hashes made by
the real implementations the FastAPI template uses (pwdlib over the `bcrypt`
and `argon2-cffi` packages), for the tests that log in with imported rows.

The passwords are obviously fake ("template-password-N"). The committed file
is what the tests read; run this only to change or add a fixture:

    python3 -m venv /tmp/hash-venv && /tmp/hash-venv/bin/pip install bcrypt argon2-cffi
    /tmp/hash-venv/bin/python scripts/legacy-hash-fixtures.py
"""

import json
from importlib.metadata import version
from pathlib import Path

import bcrypt
from argon2 import PasswordHasher, Type

OUT = Path(__file__).resolve().parents[1] / "api" / "tests" / "fixtures" / "legacy_hashes.json"


def bcrypt_hash(password: str, rounds: int, prefix: bytes) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds, prefix=prefix)).decode()


def argon2_hash(password: str, kind: Type, m: int, t: int, p: int) -> str:
    return PasswordHasher(time_cost=t, memory_cost=m, parallelism=p, type=kind).hash(password)


def main() -> None:
    made_by_bcrypt = f"bcrypt {version('bcrypt')}"
    made_by_argon2 = f"argon2-cffi {version('argon2-cffi')}"
    rows = []

    def add(name: str, password: str, stored: str, made_by: str) -> None:
        rows.append({"name": name, "password": password, "hash": stored, "made_by": made_by})

    # pwdlib's BcryptHasher: bcrypt.gensalt(rounds=12, prefix=b"2b").
    add("bcrypt_2b_12", "template-password-1", bcrypt_hash("template-password-1", 12, b"2b"), made_by_bcrypt)
    add("bcrypt_2a_10", "template-password-2", bcrypt_hash("template-password-2", 10, b"2a"), made_by_bcrypt)
    # `$2y$` is PHP's name for the same algorithm as `$2b$` (passlib and
    # pwdlib read it so); the Python package writes only 2a/2b, so the
    # fixture is its `$2b$` hash under the other prefix.
    add("bcrypt_2y_10", "template-password-3", "$2y$" + bcrypt_hash("template-password-3", 10, b"2b")[4:], made_by_bcrypt)
    # pwdlib's Argon2Hasher: argon2-cffi's defaults (argon2id, m=65536, t=3, p=4).
    add("argon2id_template", "template-password-4", PasswordHasher().hash("template-password-4"), made_by_argon2)
    add("argon2i_small", "template-password-5", argon2_hash("template-password-5", Type.I, 8192, 2, 1), made_by_argon2)
    add("argon2d_small", "template-password-6", argon2_hash("template-password-6", Type.D, 8192, 2, 1), made_by_argon2)
    # The integration tests' own cost (ARGON2_MEMORY_KIB=8192, ITERATIONS=1): current, no re-hash.
    add("argon2id_test_cost", "template-password-7", argon2_hash("template-password-7", Type.ID, 8192, 1, 1), made_by_argon2)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} hashes to {OUT}")


if __name__ == "__main__":
    main()
