# Sourced by scripts: where the real peers installed by test-peers/install.sh live.
# Exim and Postfix are extracted (not installed) into test-peers/root; swaks, openssl, sqlite3 are system packages.
PEERS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/root"
export PEERS_ROOT

# Exim 4.96 (exim4-daemon-light). Its only non-system library, libidn.so.12, comes from the libidn12 package
# installed by install.sh; the extracted tree's lib dir is still put on the path in case it is extracted there.
# An Exim configuration must say `keep_environment = LD_LIBRARY_PATH` for Exim's re-execs to keep it.
export EXIM="$PEERS_ROOT/usr/sbin/exim4"
export EXIM_LD_LIBRARY_PATH="$PEERS_ROOT/usr/lib/x86_64-linux-gnu"
export EXIM_DUMPDB="$PEERS_ROOT/usr/sbin/exim_dumpdb"
# eximstats is a perl script: `$EXIMSTATS mainlog` (unquoted, it is "perl /path/eximstats").
export EXIMSTATS="perl $PEERS_ROOT/usr/sbin/eximstats"
export EXIMSTATS_SCRIPT="$PEERS_ROOT/usr/sbin/eximstats"

# Postfix 3.7: its programs need LD_LIBRARY_PATH at its private libraries (libpostfix-*.so).
export POSTFIX_LD_LIBRARY_PATH="$PEERS_ROOT/usr/lib/postfix"
export POSTFIX="$PEERS_ROOT/usr/sbin/postfix"
export POSTCONF="$PEERS_ROOT/usr/sbin/postconf"
export POSTFIX_DAEMON_DIR="$PEERS_ROOT/usr/lib/postfix/sbin"
export POSTFIX_META_DIR="$PEERS_ROOT/etc/postfix"
export SMTP_SOURCE="$PEERS_ROOT/usr/sbin/smtp-source"
export SMTP_SINK="$PEERS_ROOT/usr/sbin/smtp-sink"
# Run a postfix tool with its libraries: `postfix_run "$SMTP_SOURCE" -s 20 -m 2000 127.0.0.1:2525`
postfix_run() { LD_LIBRARY_PATH="$POSTFIX_LD_LIBRARY_PATH" "$@"; }

export SWAKS="$(command -v swaks || echo /usr/bin/swaks)"
export OPENSSL="$(command -v openssl || echo /usr/bin/openssl)"
