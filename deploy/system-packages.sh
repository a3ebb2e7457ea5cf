#!/bin/sh
# Installs the Debian 12 packages the project needs, and nothing when they are already there.
# Usage: deploy/system-packages.sh PACKAGE...
#
# On a freshly booted machine unattended-upgrades often holds apt's locks for minutes: wait
# for them (up to SRS_APT_LOCK_TIMEOUT seconds, 600 by default) with a message, not fail.
# apt-get's DPkg::Lock::Timeout covers dpkg's lock only; `apt-get update` (lists lock) still
# fails at once, so a refusal for a held lock is retried here until the same deadline.
set -eu
lock_timeout="${SRS_APT_LOCK_TIMEOUT:-600}"
missing=""
for package in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
deadline=$(( $(date +%s) + lock_timeout ))
output=$(mktemp)
trap 'rm -f "$output"' EXIT

announce_held_lock() {
  # apt-get waits silently for dpkg's lock when not on a terminal: say why nothing happens.
  command -v fuser >/dev/null 2>&1 || return 0
  if $sudo fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock \
    >/dev/null 2>&1; then
    echo "Waiting for another package manager to finish (unattended upgrades?), up to ${lock_timeout}s…"
  fi
}

apt_get() {
  announce_held_lock
  while :; do
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout="$lock_timeout" "$@" \
      >"$output" 2>&1; then
      cat "$output"
      return 0
    fi
    if ! grep -q "Could not get lock\|Unable to lock\|Unable to acquire" "$output"; then
      cat "$output" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      cat "$output" >&2
      echo "Another package manager still holds apt's lock after ${lock_timeout}s; try again later." >&2
      return 1
    fi
    echo "Waiting for another package manager to finish (unattended upgrades?)…" \
      "$(grep -o 'held by process [0-9]* ([^)]*)' "$output" | head -n 1)"
    sleep 5
  done
}

apt_get update -qq
apt_get install -y -qq --no-install-recommends $missing
