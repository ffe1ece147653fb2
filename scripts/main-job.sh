#!/usr/bin/env bash
# The README's main job: installs what is missing, then releases the example library through
# the actions against a local stack the script starts and stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run --silent release:local
