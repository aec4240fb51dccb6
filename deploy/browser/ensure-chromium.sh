#!/usr/bin/env bash
# Make sure Debian's Chromium is installed (the browser tests drive /usr/bin/chromium with Playwright);
# print its path. Playwright's own `playwright install` downloads a browser build, which we never do:
# as root, install the Debian package with apt; otherwise fail with a message saying what to install.
set -euo pipefail

BROWSER=/usr/bin/chromium
if [[ -x "$BROWSER" ]]; then
  echo "$BROWSER"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "ensure-chromium: $BROWSER not found; install it as root: apt-get install -y chromium" >&2
  exit 1
fi

echo "ensure-chromium: installing chromium with apt-get" >&2
# Serialise concurrent installers (ensure-server.sh too): dpkg takes its own lock and fails rather than waits.
exec 9>/tmp/hub-pg-apt.lock
flock 9
if [[ ! -x "$BROWSER" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y chromium >&2
  [[ -x "$BROWSER" ]] || { echo "ensure-chromium: apt-get installed chromium but $BROWSER is missing" >&2; exit 1; }
fi
echo "$BROWSER"
