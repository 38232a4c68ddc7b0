#!/usr/bin/env bash
# LineSight's test command (README: `npm test`). Installs what the tests need
# where it is missing, then lints, type-checks both tsconfigs, and runs every
# test: unit, integration with real parts, and the browser end-to-end.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium (playwright-core drives it), socat (serial port pairs),
# the shellcheck linter (the station package's scripts), adduser (its
# install), python3-opencv (decode.floor's libjpeg-turbo peer, test/tools/;
# it brings libswscale) and libturbojpeg0 (the fast JPEG decoder,
# src/engine/preprocess/native-codecs.ts).
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v adduser >/dev/null 2>&1 || missing+=(adduser)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import cv2' >/dev/null 2>&1 || missing+=(python3-opencv)
compgen -G '/usr/lib/*/libturbojpeg.so.0' >/dev/null || missing+=(libturbojpeg0)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing ${missing[*]} from apt"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -d node_modules ] || npm ci

echo "test: format and lint"
npx --no-install prettier --check . >/dev/null || { npx --no-install prettier --check .; echo "test: run npm run format"; exit 1; }
npx --no-install eslint --max-warnings=0 .
echo "test: type-check (node, web)"
npx --no-install tsc -p tsconfig.node.json
npx --no-install tsc -p tsconfig.web.json
echo "test: vitest (builds the app first)"
npx --no-install vitest run
