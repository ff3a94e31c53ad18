#!/usr/bin/env bash
# Acceptance throughput: Postfix's smtp-source into Petrel, a standalone Postfix 3.7 and a standalone Exim 4.96,
# in the same run, on this machine. Prints messages per second for each and Petrel's ratio to the others.
#
#   bench/throughput.sh [SESSIONS] [MESSAGES] [SIZE] [ROUNDS] [WARMUP]     defaults: 20 2000 5000 5 8
#
# WARMUP untimed runs per server and mode come first: a daemon runs for days, so the steady state (a JIT-
# compiled JVM, Postfix's smtpd processes already forked) is what is compared. Petrel's JIT needs about
# 16000 messages (8 runs of 2000) to settle on this machine; with 2 warm-up runs its figure is 20-40% worse.
# Every server spools each message durably (fsync) before its 250 and delivers nothing during the run
# (Petrel and Exim: queue_only; Postfix: HOLD), so the figure is SMTP acceptance into a durable queue.
# Two client modes: a new connection per message (smtp-source's default, the issue's figure), and -d
# (many messages per connection). Exim holds its 221 reply to QUIT for up to 200 ms, which dominates the
# first mode for it; smtp-source cannot skip waiting for that reply.
set -euo pipefail
sessions=${1:-20}
messages=${2:-2000}
size=${3:-5000}
rounds=${4:-5}
warmup=${5:-8}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
. "$here/lib.sh"
bench_prepare
"$root/bin/petrel" version >/dev/null   # builds the jar if needed

work="$(mktemp -d /tmp/petrel-bench.XXXXXX)"
chmod 755 "$work"   # the postfix and Debian-exim users must reach their directories inside it

petrel_port=$(free_port); postfix_port=$(free_port); exim_port=$(free_port)
petrel_bench_config "log_selector = +pipelining +received_recipients" queue_only

petrel_pid=""
trap stop_servers EXIT

mkdir -p "$work/petrel"
start_petrel "$root" "$work/petrel.conf" "$work/petrel"
"$here/postfix-standalone.sh" start "$work/postfix" "$postfix_port" >/dev/null
"$here/exim-standalone.sh" start "$work/exim" "$exim_port" >/dev/null
wait_listening "$petrel_port"; wait_listening "$postfix_port"; wait_listening "$exim_port"

# One timed smtp-source run; prints the elapsed seconds.
run() { # PORT [extra smtp-source flags]
  local port=$1; shift
  local start end
  start=$(date +%s.%N)
  postfix_run "$SMTP_SOURCE" "$@" -s "$sessions" -m "$messages" -l "$size" -f bench@client.test -t bench@bench.test \
    "127.0.0.1:$port" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}


echo "smtp-source -s $sessions -m $messages -l $size: $warmup warm-up runs, then the median of $rounds; $(nproc) cores"
for mode in "" "-d"; do
  label=${mode:-"new connection per message"}
  [ "$mode" = "-d" ] && label="-d (messages share connections)"
  declare -A secs=()
  for name in petrel postfix exim; do : >"$work/$name.times"; done
  for w in $(seq 1 "$warmup"); do
    for name in petrel postfix exim; do
      [ "$name" = exim ] && [ -z "$mode" ] && continue   # 20 s a run, all of it Exim's QUIT delay
      port_var="${name}_port"
      run "${!port_var}" $mode >/dev/null
    done
  done
  for r in $(seq 1 "$rounds"); do
    for name in petrel postfix exim; do   # interleaved so that background noise hits all three alike
      port_var="${name}_port"
      run "${!port_var}" $mode >>"$work/$name.times"
    done
  done
  echo
  echo "== $label"
  printf '%-8s %10s %10s\n' server seconds msgs/s
  for name in petrel postfix exim; do
    secs[$name]=$(median <"$work/$name.times")
    printf '%-8s %10.2f %10.0f\n' "$name" "${secs[$name]}" "$(echo "$messages / ${secs[$name]}" | bc -l)"
  done
  printf 'ratio petrel/postfix: %.2f   petrel/exim: %.2f\n' \
    "$(echo "${secs[postfix]} / ${secs[petrel]}" | bc -l)" "$(echo "${secs[exim]} / ${secs[petrel]}" | bc -l)"
done

accepted=$(grep -c ' <= ' "$work/petrel/log/mainlog" || true)
spooled=$(find "$work/petrel/spool/input" -maxdepth 1 -type f -name '??????-*' ! -name '*.spare' | grep -vc -- '-J$' || true)
echo
echo "petrel: $accepted messages logged as received, $spooled in the spool (durable, undelivered: queue_only)"
