#!/usr/bin/env bash
# Installs Debian's chromium for the audit report's headless-browser test when it is missing.
# Does nothing when /usr/bin/chromium exists. Needs root (CI runs as root) and the Debian mirrors.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "chromium installed: $(/usr/bin/chromium --version)"
