#!/usr/bin/env bash
# Installs the real, independent SMTP peers used by the tests and benchmarks (docs/operations.md, "Tests and
# test peers"; the traps met on the way are under "Pitfalls of the peers").
#
#  - normal Debian packages (apt-get install): swaks, libnet-ssleay-perl, openssl, python3, sqlite3, perl,
#    util-linux (`script`, `unshare`, `nsenter`), iproute2 (`ip`) and procps (`sysctl`) for the network
#    namespace TcpFastOpenTest runs in, and the shared libraries the extracted programs below link against
#    (libidn12 is the only one not already on a stock Debian 12 system; the others are listed for safety);
#  - packages that conflict with each other when installed (exim4 vs postfix) are NOT installed: they are
#    `apt-get download`ed and `dpkg -x`ed into test-peers/root/ (gitignored): exim4-daemon-light 4.96,
#    exim4-base (eximstats, exim_dumpdb), postfix 3.7 (smtp-source, smtp-sink, a standalone postfix);
#    and nsd 4.6 (an authoritative DNS server the routing tests start on loopback with their own zone;
#    extracted rather than installed so that no packaged service starts listening on port 53);
#  - the system users/groups these programs insist on: Debian-exim, postfix, postdrop.
#
# Idempotent and fast when already done: a stamp file in test-peers/root records a completed install.
# Needs root for the first run (apt-get, useradd); later runs only check the stamp.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/root"
# The stamp is keyed by this script's content, so editing the script (e.g. adding a package) re-runs it.
stamp="$root/.installed-$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"

apt_packages=(swaks libnet-ssleay-perl openssl python3 sqlite3 perl util-linux iproute2 procps
  libidn12 libidn2-0 libgnutls30 libgnutls-dane0 libdb5.3 libnsl2 libpcre2-8-0 libcrypt1
  libicu72 libsasl2-2 libssl3 ca-certificates libevent-2.1-7 libfstrm0 libprotobuf-c1)
extract_packages=(exim4-daemon-light exim4-base postfix nsd)

ok_already() {
  [ -f "$stamp" ] || return 1
  [ -x "$root/usr/sbin/exim4" ] && [ -x "$root/usr/sbin/smtp-source" ] && [ -x "$root/usr/sbin/smtp-sink" ] \
    && [ -x "$root/usr/lib/postfix/sbin/master" ] && [ -f "$root/usr/sbin/eximstats" ] && [ -x "$root/usr/sbin/nsd" ] || return 1
  local tool
  for tool in swaks script openssl unshare nsenter ip sysctl; do
    command -v "$tool" >/dev/null || return 1
  done
  getent passwd Debian-exim >/dev/null && getent passwd postfix >/dev/null && getent group postdrop >/dev/null || return 1
  return 0
}

if ok_already; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "test-peers/install.sh: the peers are not installed yet and this needs root (apt-get, useradd)" >&2
  exit 1
fi

log() { echo "test-peers: $*" >&2; }
export DEBIAN_FRONTEND=noninteractive

lists_empty() {
  ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null
}
updated=0
apt_update() {
  if [ "$updated" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq >&2
    updated=1
  fi
}

# 0. System users and groups (only when missing), before extraction so dpkg -x can set owners/groups by name.
if ! getent group Debian-exim >/dev/null; then groupadd --system Debian-exim; fi
if ! getent passwd Debian-exim >/dev/null; then
  useradd --system -g Debian-exim -d /var/spool/exim4 -M -s /usr/sbin/nologin Debian-exim
fi
if ! getent group postfix >/dev/null; then groupadd --system postfix; fi
if ! getent passwd postfix >/dev/null; then
  useradd --system -g postfix -d /var/spool/postfix -M -s /usr/sbin/nologin postfix
fi
if ! getent group postdrop >/dev/null; then groupadd --system postdrop; fi

# 1. Ordinary packages.
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  if lists_empty; then apt_update; fi
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    apt_update
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

# 2. Conflicting packages: download and extract into test-peers/root (never installed, never configured).
mkdir -p "$root/debs"
for p in "${extract_packages[@]}"; do
  if ! compgen -G "$root/debs/${p}_*.deb" >/dev/null; then
    log "apt-get download $p"
    # apt-get download writes into the current directory; the _apt sandbox user cannot write there, hence
    # a harmless "unsandboxed as root" warning.
    if ! (cd "$root/debs" && apt-get download -qq "$p" >&2 2>/dev/null); then
      apt_update
      (cd "$root/debs" && apt-get download -qq "$p" >&2)
    fi
  fi
done
for deb in "$root"/debs/*.deb; do
  log "dpkg -x $(basename "$deb")"
  dpkg -x "$deb" "$root"
done

# What the packages' maintainer scripts would have done: postdrop/postqueue are setgid postdrop (postfix check
# warns otherwise); exim4 is setuid root (dpkg -x keeps that mode, set it again in case).
chgrp postdrop "$root/usr/sbin/postdrop" "$root/usr/sbin/postqueue"
chmod 2755 "$root/usr/sbin/postdrop" "$root/usr/sbin/postqueue"
chmod 4755 "$root/usr/sbin/exim4"

# The extracted binaries must find all their shared libraries (postfix's own ones are in usr/lib/postfix).
for bin in "$root/usr/sbin/exim4" "$root/usr/sbin/exim_dumpdb" "$root/usr/sbin/smtp-source" \
  "$root/usr/sbin/smtp-sink" "$root/usr/lib/postfix/sbin/master" "$root/usr/lib/postfix/sbin/smtpd" "$root/usr/sbin/nsd"; do
  if LD_LIBRARY_PATH="$root/usr/lib/postfix:$root/usr/lib/x86_64-linux-gnu" ldd "$bin" | grep -q 'not found'; then
    echo "test-peers/install.sh: missing shared libraries for $bin:" >&2
    LD_LIBRARY_PATH="$root/usr/lib/postfix:$root/usr/lib/x86_64-linux-gnu" ldd "$bin" | grep 'not found' >&2
    exit 1
  fi
done

# 4. Sanity: versions we were promised.
# Each version is read whole before it is matched: with pipefail, `prog | head -1 | grep -q` fails at random
# when the program is still writing as head or grep exit (SIGPIPE).
version_of() { "$@" 2>&1 || true; }
grep -q 'Exim version 4\.96' <<<"$(version_of "$root/usr/sbin/exim4" -C /dev/null -bV)" \
  || { echo "test-peers/install.sh: extracted exim is not 4.96" >&2; exit 1; }
grep -q '= 3\.7\.' <<<"$(version_of env LD_LIBRARY_PATH="$root/usr/lib/postfix" "$root/usr/sbin/postconf" -d -c "$root/etc/postfix" mail_version)" \
  || { echo "test-peers/install.sh: extracted postfix is not 3.7" >&2; exit 1; }
grep -q 'NSD version 4\.' <<<"$(version_of "$root/usr/sbin/nsd" -v)" \
  || { echo "test-peers/install.sh: extracted nsd is not 4.x" >&2; exit 1; }

rm -f "$root"/.installed-*
touch "$stamp"
log "installed into $root"
