#!/usr/bin/env bash
# Installs the pinned Go tools the tests use: into .tools/bin act (runs the reusable workflows
# locally, host mode) and actionlint (lints workflows and action metadata); and the docker
# buildx plugin as .tools/docker-plugins/docker-buildx, which the docker-engine tests put in
# their DOCKER_CONFIG's cli-plugins (GitHub's runners ship buildx; Debian's docker.io does not).
# Skipped when the pinned versions are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ACT_VERSION=v0.2.89
ACTIONLINT_VERSION=v1.7.12
BUILDX_VERSION=v0.38.2
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
# buildx prints its version from a linker variable; `go install` leaves it empty ("v0.0.0+unknown").
plugins="$PWD/.tools/docker-plugins"
if [ ! -x "$plugins/docker-buildx" ] || [ "$(cat "$plugins/.docker-buildx.version" 2>/dev/null)" != "$BUILDX_VERSION" ]; then
  echo "Installing docker buildx $BUILDX_VERSION (compiles for about two minutes)"
  mkdir -p "$plugins"
  GOBIN="$plugins" go install -ldflags "-X github.com/docker/buildx/version.Version=$BUILDX_VERSION" \
    "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
  # The docker CLI finds plugins by their docker-<name> file name.
  mv "$plugins/buildx" "$plugins/docker-buildx"
  echo "$BUILDX_VERSION" > "$plugins/.docker-buildx.version"
fi
