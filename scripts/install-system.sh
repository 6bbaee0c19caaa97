#!/usr/bin/env bash
# Install the Debian packages sciannot needs, by group; only what is missing is installed.
# The same script runs in CI on the host and in the image build (Dockerfile), so every step
# the image takes is exercised by CI.
#
#   scripts/install-system.sh [--clean] GROUP...
#
#   runtime  the app's processes: postgresql-client (pg_dump, pg_restore, pg_isready for
#            backup and restore)
#   ci       the test suite: chromium (browser tests), nginx (the loopback stack tests),
#            redis-tools, docker-compose (checks the compose file), and runtime's packages
#   --clean  remove apt's package lists afterwards (keeps an image small)
#
# Installing a package never starts its service: the tests run their own nginx.
set -euo pipefail

clean=0
groups=()
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    runtime | ci) groups+=("$arg") ;;
    *) echo "install-system.sh: unknown group '$arg' (runtime, ci; --clean)" >&2; exit 2 ;;
  esac
done
if ((${#groups[@]} == 0)); then
  echo "usage: scripts/install-system.sh [--clean] runtime|ci..." >&2
  exit 2
fi

# package:command that shows it is installed
wanted=()
for group in "${groups[@]}"; do
  case "$group" in
    runtime) wanted+=(postgresql-client:pg_dump) ;;
    ci) wanted+=(postgresql-client:pg_dump chromium:chromium nginx:nginx
                 redis-tools:redis-cli docker-compose:docker-compose) ;;
  esac
done

missing=()
for entry in "${wanted[@]}"; do
  package=${entry%%:*}
  command=${entry#*:}
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$command" >/dev/null 2>&1; then
    [[ " ${missing[*]-} " == *" $package "* ]] || missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "install-system.sh: missing ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  # Debian starts a package's service on install unless policy-rc.d says no.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ((clean)); then
  apt-get clean
  rm -rf /var/lib/apt/lists/*
fi
