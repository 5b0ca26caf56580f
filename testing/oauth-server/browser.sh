#!/bin/sh
# `$BROWSER` for tests: runs browser.cjs with $MCPCTL_NODE (else `node` on PATH).
exec "${MCPCTL_NODE:-node}" "$(dirname "$0")/browser.cjs" "$@"
