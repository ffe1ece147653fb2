#!/usr/bin/env bash
# Installs the pinned Go tools the workflow tests use into .tools/bin: act (runs the reusable
# workflows locally, host mode) and actionlint (lints workflows and action metadata).
# Skipped when the pinned versions are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ACT_VERSION=v0.2.89
ACTIONLINT_VERSION=v1.7.12
export GOBIN="$PWD/.tools/bin"
mkdir -p "$GOBIN"
installed() { [ -x "$GOBIN/$1" ] && [ "$(cat "$GOBIN/.$1.version" 2>/dev/null)" = "$2" ]; }
if ! installed actionlint "$ACTIONLINT_VERSION"; then
  echo "Installing actionlint $ACTIONLINT_VERSION"
  go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "$ACTIONLINT_VERSION" > "$GOBIN/.actionlint.version"
fi
if ! installed act "$ACT_VERSION"; then
  echo "Installing act $ACT_VERSION (compiles for a minute or two)"
  go install "github.com/nektos/act@$ACT_VERSION"
  echo "$ACT_VERSION" > "$GOBIN/.act.version"
fi
