#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# `--dev` adds what only the tests need (Debian's chromium for the browser tests).
set -euo pipefail
needed=(libzbar0 poppler-utils fonts-dejavu-core softhsm2 opensc)
[ "${1:-}" = "--dev" ] && needed+=(chromium)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null; then
  echo "error: apt-get not found; install ${missing[*]} with your package manager" >&2
  exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
