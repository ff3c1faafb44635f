#!/usr/bin/env python3
"""Render the Kubernetes manifests with kustomize and validate them against
the Kubernetes API schemas, offline.

    kube_render.py check OUTDIR    render every build into OUTDIR/<name>.yaml,
                                   validate them (scripts/test-edge), exit 1 on
                                   any error; checkov then scans OUTDIR

Rendering: kustomize's own Go code (sigs.k8s.io/kustomize/api), as the PyPI
package pykustomize ships it (a shared library loaded through cffi), so the
output is what `kubectl apply -k` / `kustomize build` produce; no kustomize
binary is published on the registries this project installs from.

Validation: kubernetes-validate's OpenAPI schemas, strict (an unknown field
is an error, so a typo cannot silently drop a security setting), against
the oldest Kubernetes release the manifests support and the newest the
package knows. A kind without a schema is an error too, except Traefik's
CRDs, which the policy tests check field by field against the Traefik
configuration the live stack test runs (test_kubernetes_policy.py).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
KUBE = REPO / "deploy/kubernetes"
# Every build an operator applies (docs/deployment.md "Kubernetes").
BUILDS = {
    "production": KUBE / "overlays/production",
    "production-prestart": KUBE / "overlays/production/prestart",
}
# preStop `sleep` (used for a clean drain) is in the API from 1.30 on.
OLDEST_SUPPORTED = "1.30.0"
CRD_KINDS = {("traefik.io/v1alpha1", "Middleware"), ("traefik.io/v1alpha1", "TLSOption")}


def render_text(path: Path) -> str:
    from pykustomize import build

    return asyncio.run(build(str(path))).yaml


def render(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(render_text(path)) if doc]


def schema_errors(docs: list[dict], versions: list[str]) -> list[str]:
    import kubernetes_validate as kv

    out = []
    for doc in docs:
        kind, api = doc.get("kind"), doc.get("apiVersion")
        name = f"{kind}/{(doc.get('metadata') or {}).get('name')}"
        if (api, kind) in CRD_KINDS:
            continue
        for version in versions:
            try:
                kv.validate(doc, version, strict=True)
            except kv.SchemaNotFoundError:
                out.append(f"{name}: no Kubernetes {version} schema for {api} {kind}")
            except kv.ValidationError as exc:
                path = ".".join(str(p) for p in exc.path)
                out.append(f"{name} (Kubernetes {version}): {path}: {exc.message}")
    return out


def check(outdir: Path) -> int:
    import kubernetes_validate as kv

    outdir.mkdir(parents=True, exist_ok=True)
    versions = [OLDEST_SUPPORTED, kv.latest_version()]
    failed = 0
    for name, path in BUILDS.items():
        text = render_text(path)
        (outdir / f"{name}.yaml").write_text(text, encoding="utf-8")
        docs = [d for d in yaml.safe_load_all(text) if d]
        errors = schema_errors(docs, versions)
        kinds = sorted({d["kind"] for d in docs})
        print(f"kube: {name}: {len(docs)} objects ({', '.join(kinds)}), schemas {' and '.join(versions)}: "
              + ("ok" if not errors else f"{len(errors)} error(s)"))
        for error in errors:
            print(f"  {error}")
        failed += bool(errors)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "check":
        return check(Path(argv[2]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
