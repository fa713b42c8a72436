#!/bin/sh
# Rebuilds the studio's vendored browser code into ../static (committed; embedded by Go).
# Needs node and npm: run `npm ci` (or `npm install`) here first.
set -eu
cd "$(dirname "$0")"
npx esbuild editor.js --bundle --minify --format=iife --target=es2020 --legal-comments=eof --outfile=../static/codemirror.js
cp node_modules/mermaid/dist/mermaid.min.js ../static/mermaid.min.js
cp node_modules/mermaid/LICENSE ../static/mermaid.LICENSE
cp node_modules/codemirror/LICENSE ../static/codemirror.LICENSE
