#!/usr/bin/env bash
# Installs everything the tests and the local release need on a fresh machine: the npm
# packages (including Node 24, the runtime action.yml declares), the pinned Python tools, the
# system packages for image builds, and the pinned Go tools.
# Each step is skipped when it is already up to date, so running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.install-stamp 2>/dev/null)" != "$lock_hash" ]; then
  echo "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.install-stamp
fi

bash scripts/setup-python.sh
# podman, docker-registry, htpasswd and busybox for the image-build tests (apt, as root).
bash scripts/install-system.sh
# act and actionlint for the workflow tests (go install, pinned).
bash scripts/install-go-tools.sh
