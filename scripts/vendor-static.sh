#!/usr/bin/env bash
# Copies Bootstrap and htmx, at the versions pinned in package-lock.json, into static/vendor/.
# They are served from our own static files (the CSP allows scripts from 'self' only).
# `npm ci` also installs the development dependency axe-core, which the accessibility tests read from node_modules;
# it is deliberately not copied here, so it is never served.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
mkdir -p static/vendor/bootstrap static/vendor/htmx
cp node_modules/bootstrap/dist/css/bootstrap.min.css{,.map} static/vendor/bootstrap/
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js{,.map} static/vendor/bootstrap/
cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/LICENSE
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE
touch static/vendor/.installed
