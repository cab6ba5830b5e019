#!/usr/bin/env bash
# Prints the path of a Python 3.12 or newer, or says in one line what to install.
set -euo pipefail
candidates=(python3.12 python3.13 python3.14 python3)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for dir in "$root"/versions/3.1[2-9]*; do
    [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
  done
fi
for dir in "$HOME"/.pyenv/versions/3.1[2-9]*; do
  [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done
for candidate in "${candidates[@]}"; do
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "pru_cases needs Python 3.12 or newer: install python3.12 (with its venv module) and run make again." >&2
exit 1
