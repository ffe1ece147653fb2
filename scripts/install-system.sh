#!/usr/bin/env bash
# Installs the Debian packages the docker-build-auth tests and benchmark run against:
#   podman          the docker-compatible image builder
#   docker.io       the Docker engine (dockerd 20.10 with BuildKit, containerd, runc), which the
#                   tests start themselves on a private socket and data root; the buildx plugin
#                   comes from scripts/install-go-tools.sh
#                   (skipped where a dockerd is installed already: GitHub's ubuntu runners ship
#                   Docker's packages, which conflict with docker.io's containerd and runc)
#   debootstrap     builds the offline Debian rootfs with python3 that the example Dockerfiles
#                   are built FROM (test/harness/python-base.ts), checked with Debian's keys
#                   (debian-archive-keyring, which Ubuntu does not install by default)
#   docker-registry a real registry v2 for push/pull over loopback (htpasswd auth)
#   apache2-utils   htpasswd -B, the bcrypt entries docker-registry requires
#   busybox-static  a static /bin/busybox: the `FROM scratch` base image of the test builds,
#                   since no image registry on the internet is reachable
# Idempotent: packages already installed are skipped, and `apt-get update` runs at most once,
# only when something is missing. Non-interactive, so it runs unattended in CI (CI=true, no stdin).
set -euo pipefail

packages=(podman debootstrap debian-archive-keyring docker-registry apache2-utils busybox-static)
if ! command -v dockerd >/dev/null 2>&1; then
  packages+=(docker.io)
fi

missing=()
for package in "${packages[@]}"; do
  # `dpkg -s` exits 0 for removed-but-configured packages too; check the status line.
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# docker.io's and docker-registry's maintainer scripts start their services where they can; the
# tests start their own dockerd and registry, so a policy-rc.d that refuses service starts (as
# Debian's container images ship) keeps the packaged ones from running for the install.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
# --no-install-recommends keeps out what the tests do not use (e.g. docker-registry's
# recommended redis); podman's runtime pieces (crun/runc, conmon, netavark) are hard depends.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
# Under systemd the packages start their own registry (:5000) and dockerd (/var/run/docker.sock)
# regardless; the tests use their own on private addresses, so keep the packaged ones out of the way.
for service in docker-registry docker.socket docker; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    $sudo systemctl stop "$service" || true
    $sudo systemctl disable "$service" >/dev/null 2>&1 || true
  fi
done
