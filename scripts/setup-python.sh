#!/usr/bin/env bash
# Creates .venv with the pinned Python tools the local stack and the sample builds use
# (test/python/requirements.txt). Idempotent: does nothing when the pins have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=test/python/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/python ]; then
  exit 0
fi
echo "Setting up .venv from $requirements"
python3 -m venv --clear .venv
# uv installs the rest far faster than pip; it is itself one of the pinned tools.
.venv/bin/pip install --quiet --disable-pip-version-check "$(grep '^uv==' "$requirements")"
.venv/bin/uv pip install --quiet --python .venv/bin/python -r "$requirements"
echo "$want" > "$stamp"
