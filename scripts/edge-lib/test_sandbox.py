"""The sandbox reads compose.yml the way Docker would, refuses what it does
not model, and its run-time check notices a process that is less confined
than declared (a real confined process, inspected through /proc)."""

from __future__ import annotations

import copy
import time

import pytest

import edge_policy as E
import sandbox as S

WEB_DOCKERFILE = (E.REPO / "web/Dockerfile").read_text(encoding="utf-8")
API_DOCKERFILE = (E.REPO / "api/Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict:
    return E.load_yaml(E.REPO / "compose.yml")


def test_tmpfs_sizes_and_modes():
    assert S.parse_tmpfs("/tmp:size=16m,mode=1777") == S.Tmpfs("/tmp", 16 * 1024**2, 0o1777)
    assert S.parse_tmpfs("/run/x:size=512k,mode=0700").size_bytes == 512 * 1024
    with pytest.raises(ValueError):
        S.parse_tmpfs("/tmp")


def test_confinement_comes_from_compose_and_the_dockerfile(compose):
    web = S.from_compose(compose, "web", WEB_DOCKERFILE)
    assert (web.uid, web.gid, web.read_only, web.no_new_privileges) == (101, 101, True, True)
    assert [t.path for t in web.tmpfs] == ["/tmp"]
    api = S.from_compose(compose, "api-1", API_DOCKERFILE)
    assert (api.uid, api.gid, api.tmpfs) == (65532, 65532, ())


@pytest.mark.parametrize("change, needle", [
    (lambda s: s.__setitem__("user", "0:0"), "not the Dockerfile's USER"),
    (lambda s: s.__setitem__("cap_add", ["NET_ADMIN"]), "cap_add"),
    (lambda s: s.pop("cap_drop"), "cap_drop"),
])
def test_what_is_not_modelled_is_refused(compose, change, needle):
    doc = copy.deepcopy(compose)
    change(doc["services"]["web"])
    with pytest.raises(ValueError, match=needle):
        S.from_compose(doc, "web", WEB_DOCKERFILE)


def test_a_confined_process_matches_its_confinement_and_a_stricter_claim_does_not(tmp_path):
    # bubblewrap without a user namespace: run as root, like the whole edge part.
    conf = S.Confinement("probe", 65534, 65534, True, (S.Tmpfs("/tmp", 1024**2, 0o1777),))
    proc = S.Confined("probe", conf, ["/bin/sleep", "30"], {"PATH": "/usr/bin:/bin"}, tmp_path / "probe.log")
    try:
        time.sleep(0.3)
        assert S.violations(proc.pid, conf) == []
        claimed = S.Confinement("probe", 1000, 1000, True, (S.Tmpfs("/var/tmp", 1024**2, 0o1777),))
        found = " | ".join(S.violations(proc.pid, claimed))
        assert "Uid" in found and "/tmp is writable" in found and "/var/tmp is not mounted" in found, found
    finally:
        proc.terminate()
        proc.wait(timeout=10)
