# shellcheck shell=bash
# The GitHub-only gates of scripts/test-security (sourced by it; uses its helpers).
# Each is still one named entry that a workflow job runs as `scripts/test-security GATE`;
# it is GitHub-only because it needs something this machine cannot reach:
#   gitleaks          no official gitleaks build on crates.io, PyPI, npm or Debian 12
#                     (only third-party repackagings); its release binary comes from
#                     github.com (`scripts/install-security gitleaks`)
#   semgrep-registry  the p/* rule packs are served by semgrep.dev
#   trivy-fs          trivy (GitHub release binary) and its vulnerability database (ghcr.io)
#   actionlint        GitHub release binary
#   npm-audit         the advisory endpoint of the npm registry (refused by the proxy here)
#   codeql-results    CodeQL itself runs only as a GitHub action; this reads its SARIF
#   base-images       cosign and the upstream registries (gcr.io, Docker Hub)
#   trivy-image       the pushed image in ghcr.io (IMAGE_REF=name@sha256:...)

# --- gitleaks: the whole git history, not only the tree ---------------------------------
g_gitleaks() {
  need "$GH_BIN/gitleaks" || return 1
  # One run: the exit code blocks, the SARIF is its report. --redact keeps any found
  # secret out of the job log.
  "$GH_BIN/gitleaks" git --redact --exit-code 1 --no-banner \
    --report-format sarif --report-path "$OUT/gitleaks.sarif" .
}

# --- semgrep registry rulesets (explicit packs, never --config=auto) -------------------
g_semgrep_registry() {
  need "$SEMGREP" || return 1
  local sarif=(); want_sarif && sarif=(--sarif-output="$OUT/semgrep-registry.sarif")
  "$SEMGREP" scan --config p/rust --config p/typescript --config p/react --config p/secrets \
    --config p/github-actions --config p/dockerfile "${SEMGREP_FLAGS[@]}" --text "${sarif[@]}"
}

# --- trivy: the source tree (trivy.yaml: HIGH/CRITICAL fixable findings block) --------
g_trivy_fs() {
  need "$GH_BIN/trivy" || return 1
  local rc=0
  "$GH_BIN/trivy" fs --config trivy.yaml . || rc=1
  report trivy-fs.sarif "$GH_BIN/trivy" fs --config trivy.yaml --format sarif .
  return "$rc"
}

# --- trivy: the pushed image, by digest only ------------------------------------------
g_trivy_image() {
  need "$GH_BIN/trivy" || return 1
  if ! [[ "${IMAGE_REF:-}" =~ ^[a-z0-9./_-]+@sha256:[0-9a-f]{64}$ ]]; then
    echo "trivy-image: IMAGE_REF must be name@sha256:<digest> (got '${IMAGE_REF:-}')" >&2; return 1
  fi
  local rc=0
  "$GH_BIN/trivy" image --config trivy.yaml --scanners vuln,secret "$IMAGE_REF" || rc=1
  report trivy-image.sarif "$GH_BIN/trivy" image --config trivy.yaml --scanners vuln,secret --format sarif "$IMAGE_REF"
  return "$rc"
}

# --- actionlint: workflow syntax, expressions, and shellcheck of run: blocks ----------
g_actionlint() {
  need "$GH_BIN/actionlint" || return 1
  local rc=0
  "$GH_BIN/actionlint" -color || rc=1
  report actionlint.json "$GH_BIN/actionlint" -format '{{json .}}'
  report actionlint.sarif python3 scripts/security-lib/to_sarif.py actionlint "$OUT/actionlint.json"
  return "$rc"
}

# --- npm audit: the SPA's production dependencies (reads package-lock.json only) ------
g_npm_audit() {
  need_cmd npm || return 1
  local rc=0
  (cd web && npm audit --omit=dev --audit-level=high) || rc=1
  report npm-audit.json bash -c 'cd web && npm audit --omit=dev --audit-level=high --json'
  report npm-audit.sarif python3 scripts/security-lib/to_sarif.py npm-audit "$OUT/npm-audit.json"
  return "$rc"
}

# --- CodeQL never fails on alerts by itself: any result in its SARIF fails here -------
g_codeql_results() {
  python3 scripts/security-lib/codeql_results.py "${CODEQL_RESULTS:-codeql-results}"
}

# --- upstream signatures of the base images, before anything is built on them ---------
g_base_images() {
  need_cmd cosign || return 1
  local df; mapfile -t df < <(dockerfiles)
  python3 scripts/security-lib/base_images.py verify "${df[@]}"
}
