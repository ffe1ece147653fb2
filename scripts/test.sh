#!/usr/bin/env bash
# The README's test command: installs what is missing, then lints, typechecks, checks that dist/
# matches the sources, and runs every test (unit, integration against the local stack, act
# end-to-end runs, action metadata).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
# npm scripts put node_modules/.bin first on PATH, so Node 24 runs the build and the tests.
echo "== format"
npm run --silent format:check
echo "== lint"
npm run --silent lint
echo "== workflow security (zizmor)"
.venv/bin/zizmor --offline --quiet --config .github/zizmor.yml .github/workflows examples/workflows
echo "== typecheck"
npm run --silent typecheck
echo "== dist"
node_modules/.bin/node scripts/check-dist.mjs
echo "== tests"
results=$(mktemp)
status=0
npm run --silent jest -- --ci --json --outputFile="$results" "$@" || status=$?
# One plain closing line for CI, whatever jest printed above it.
node_modules/.bin/node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results" || true
rm -f "$results"
exit "$status"
