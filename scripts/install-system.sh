#!/usr/bin/env bash
# Installs the Debian packages the docker-build-auth tests and benchmark run against:
#   podman          the docker-compatible image builder (no Docker engine on these machines)
#   docker-registry a real registry v2 for push/pull over loopback (htpasswd auth)
#   apache2-utils   htpasswd -B, the bcrypt entries docker-registry requires
#   busybox-static  a static /bin/busybox: the `FROM scratch` base image of the test builds,
#                   since no image registry on the internet is reachable
# Idempotent: packages already installed are skipped, and `apt-get update` runs at most once,
# only when something is missing. Non-interactive, so it runs unattended in CI (CI=true, no stdin).
set -euo pipefail

packages=(podman docker-registry apache2-utils busybox-static)

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
# --no-install-recommends keeps out what the tests do not use (e.g. docker-registry's
# recommended redis); podman's runtime pieces (crun/runc, conmon, netavark) are hard depends.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
# The Debian package starts its own registry service on :5000; the tests start their own
# registry on a free loopback port with their own config, so keep the packaged one out of the way.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  $sudo systemctl stop docker-registry || true
  $sudo systemctl disable docker-registry >/dev/null 2>&1 || true
fi
