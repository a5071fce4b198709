#!/usr/bin/env bash
# The portal's browser tests drive Debian's headless Chromium (a browser download is not possible
# on these machines). Install it when missing and we may; otherwise those tests skip and say why.
set -u
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium for the portal's browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >/tmp/commissioning-chromium-install.log 2>&1 \
    || echo "could not install chromium (see /tmp/commissioning-chromium-install.log); browser tests will skip"
else
  echo "chromium is not installed; browser tests will skip (apt-get install chromium to run them)"
fi
exit 0
