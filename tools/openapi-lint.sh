#!/usr/bin/env bash
# Lints the bank API's OpenAPI document (adapters/bank/openapi.yaml) with Redocly CLI and its
# recommended ruleset (operationIds, security, valid examples, 4xx responses...); exceptions,
# each with its reason, are in tools/openapi/.redocly.lint-ignore.yaml.
#
# Installs the pinned @redocly/cli with npm into a cache directory on first use
# (REDOCLY_DIR, default ${XDG_CACHE_HOME:-~/.cache}/weiyin/redocly-VERSION). Exits 0 when the
# document passes, 1 when it does not, and 0 with a "skip" message when npm is absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

version=2.77.0
dir=${REDOCLY_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/weiyin/redocly-$version}
if [[ ! -x $dir/node_modules/.bin/redocly ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "openapi-lint: skip: npm is not installed (apt-get install npm)"
    exit 0
  fi
  mkdir -p "$dir"
  echo "openapi-lint: installing @redocly/cli@$version into $dir"
  npm install --prefix "$dir" --no-audit --no-fund --silent "@redocly/cli@$version"
fi

cd "$root/tools/openapi" # the ignore file's paths are relative to it
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$dir/node_modules/.bin/redocly" lint --config redocly.yaml --format stylish ../../adapters/bank/openapi.yaml
