# shellcheck shell=bash
# Sourced by bin/demo, bin/test and bin/check: checks the tools, creates .venv, installs the pinned packages.
# Idempotent: packages are installed again only when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' not found on PATH: $2" >&2; exit 127; }
}
need terraform "install Terraform >= 1.10 (native S3 state locking); this project is tested with 1.11"
need node "install Node.js >= 20 (the cdktf runtime, jsii, runs on it)"
need python3 "install Python >= 3.11"
need npm "install npm (comes with Node.js); it installs the Lambda functions' dependencies"

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing pinned packages from pyproject.toml (first run takes a minute)"
  # This machine's pip config lists local indexes that may be absent; pip warns per package. Hide only those.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "setup: pip install failed" >&2; exit 1; }
  rm -f .venv/.installed-* && touch "$stamp"
fi
# checkov (the static compliance gate) lives in its own venv: its pins (boto3 among them) clash with ours.
checkov_stamp=".venv-checkov/.installed-$(sha256sum .ci/checkov/requirements.txt | cut -c1-16)"
if [ ! -f "$checkov_stamp" ]; then
  echo "setup: installing checkov from .ci/checkov/requirements.txt into .venv-checkov"
  [ -x .venv-checkov/bin/python ] || python3 -m venv .venv-checkov
  .venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check -r .ci/checkov/requirements.txt 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "setup: checkov install failed" >&2; exit 1; }
  rm -f .venv-checkov/.installed-* && touch "$checkov_stamp"
fi
# Prowler (the runtime compliance scan of the live environments, a nightly check) lives in its own venv
# too; it is 2.6 GB and takes about 8 minutes to install, so only when asked: INFRA_RUNTIME_SCAN=1, or
# a marker expression that selects the nightly tests (bin/test -m nightly); INFRA_RUNTIME_SCAN=0 never.
runtime_scan_wanted() {
  case "${INFRA_RUNTIME_SCAN:-}" in 1) return 0 ;; 0) return 1 ;; esac
  local previous="" expression
  for arg in "$@"; do
    expression=""
    if [ "$previous" = "-m" ]; then expression="$arg"; elif [[ "$arg" == -m?* ]]; then expression="${arg#-m}"; fi
    previous="$arg"
    if [[ "$expression" =~ (^|[^[:alnum:]_])nightly([^[:alnum:]_]|$) && ! "$expression" =~ not[[:space:]]+nightly ]]; then
      return 0
    fi
  done
  return 1
}
if runtime_scan_wanted "$@"; then
  bash .ci/prowler/install
fi
# The Lambda functions' dependencies (packaged into their zips at synth, and used by their tests).
for lock in lambda/*/package-lock.json; do
  dir="$(dirname "$lock")"
  lock_stamp="$dir/node_modules/.installed-$(sha256sum "$lock" | cut -c1-16)"
  if [ ! -f "$lock_stamp" ]; then
    echo "setup: npm ci in $dir"
    # This machine's npm config carries a key newer npm versions warn about; hide only that line.
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error 2>&1) \
      | { grep -v 'Unknown user config "nodedir"' || true; }
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "setup: npm ci failed in $dir" >&2; exit 1; }
    mkdir -p "$dir/node_modules" && touch "$lock_stamp"
  fi
done
export PATH="$PWD/.venv/bin:$PATH"
export CHECKPOINT_DISABLE=1
