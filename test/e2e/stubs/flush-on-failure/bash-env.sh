# Sourced by every non-interactive bash act starts for a step (BASH_ENV; see act.ts): a step that
# fails waits 0.3 s before it exits, so act reads its last lines before it drops them.
trap 'status=$?; [ "$status" -eq 0 ] || sleep 0.3' EXIT
