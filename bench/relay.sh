#!/usr/bin/env bash
# Delivery against arrival, two cases.
#
#   bench/relay.sh [SESSIONS] [MESSAGES] [SIZE] [DRAIN_SECONDS] [SEEN]      local delivery; defaults 8 5000 5000 300 0
#   bench/relay.sh smtp [SESSIONS] [MESSAGES] [SIZE] [ROUNDS] [WARMUP] [-d]  relaying; defaults 8 2000 5000 3 10
#   SERVERS="petrel postfix" bench/relay.sh smtp ...                        a subset of the four
#   PETREL_TREE=dir bench/relay.sh smtp ...          Petrel built in another tree (target/petrel.jar, target/lib)
#
# Local delivery: Postfix's smtp-source loads a Petrel daemon that delivers as it receives (no queue_only) into
# a maildir, and the script reports the arrival rate, the delivery rate, and how long the queue was when the
# load ended. A daemon that keeps pace ends the load with a short queue and drains it at once.
# SEEN: messages already read in the mailbox (files in its cur/), as a mailbox in use has; a delivery must not
# slow down with them. Every message goes to one mailbox (the hard case for a maildir: its new/ grows by the
# whole load). Afterwards every message must be in exactly one maildir file and the spool empty; the script
# fails if not.
#
# Relaying (smtp): smtp-source -> MTA -> smtp-sink over loopback, for Petrel, a standalone Postfix 3.7 and a
# standalone Exim 4.96 in the same run, each with its own smtp-sink. Each MTA makes a message durable (fsync)
# before its 250 and relays it at once with its own SMTP client (Petrel's smtp transport, Postfix's smtp(8)
# with relayhost, Exim's smtp transport via manualroute), defaults everywhere else. The figure is end to end:
# from smtp-source's first connection until the sink has dumped every message (one file per transaction, -d),
# in messages per second, and each MTA's CPU per message (all its processes, by cgroup; root only). WARMUP
# untimed rounds (Petrel's JIT: C2 keeps compiling per-message code for some 20000 messages, bench/README.md;
# Postfix's processes; none for Exim, which forks afresh for each message anyway), then the median of ROUNDS, the servers interleaved so that
# background noise hits all alike. "floor" is smtp-source straight into an smtp-sink with no MTA between them:
# what the load generator and the sink alone take on this machine, the bound of every figure. A trailing -d makes smtp-source send many messages per connection;
# without it every message has its own connection (the issue's figure), where Exim's 200 ms pause before its
# 221 to QUIT weighs on its acceptance.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
. "$here/lib.sh"

# The relaying case: bench/relay.sh smtp [SESSIONS] [MESSAGES] [SIZE] [ROUNDS] [WARMUP] [-d]
relaying() {
  local sessions=${1:-8} messages=${2:-2000} size=${3:-5000} rounds=${4:-3} warmup=${5:-10} mode=${6:-}
  bench_prepare
  local tree=${PETREL_TREE:-$root}
  [ -n "${PETREL_TREE:-}" ] || "$root/bin/petrel" version >/dev/null   # builds the jar if needed
  work="$(mktemp -d /tmp/petrel-relay.XXXXXX)"
  chmod 755 "$work"   # the postfix and Debian-exim users must reach their directories inside it
  # The sinks' dumps (a file per message) go to memory, not to the disk the MTAs' spools are on: on this
  # machine's ext4 every file created scans past the inodes freed in the last minute, so dumps written and
  # deleted there round after round made the harness slower as a run went on, and each round paid for the
  # files the round before it had freed (bench/README.md, "Relaying").
  sinks="$(mktemp -d /dev/shm/petrel-relay-sinks.XXXXXX)"
  chmod 755 "$sinks"
  petrel_port=$(free_port); postfix_port=$(free_port); exim_port=$(free_port)
  declare -A sink_port=([petrel]=$(free_port) [postfix]=$(free_port) [exim]=$(free_port) [floor]=$(free_port))
  floor_port=${sink_port[floor]}   # "floor": smtp-source straight into its sink, no MTA between them
  petrel_bench_config "domainlist relay_to_domains = relay.bench"
  # Everything for relay.bench goes to Petrel's smtp-sink (the router before the local one: only it matches).
  sed -i "s|^begin routers\$|begin routers\\nsmarthost:\\n  driver = manualroute\\n  domains = relay.bench\\n  transport = remote_smtp\\n  route_list = * 127.0.0.1::${sink_port[petrel]}|; s|^begin transports\$|begin transports\\nremote_smtp:\\n  driver = smtp|" \
    "$work/petrel.conf"

  petrel_pid=""
  trap 'stop_sink; for name in ${SERVERS:-petrel postfix exim floor}; do cpu_untrack "$name"; done; stop_servers
        if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $sinks" >&2; else rm -rf "$sinks"; fi' EXIT
  local servers=${SERVERS:-petrel postfix exim floor} name r
  for name in $servers; do
    case $name in
      petrel) mkdir -p "$work/petrel"; start_petrel "$tree" "$work/petrel.conf" "$work/petrel" ;;
      postfix) POSTFIX_DISPOSITION=relay POSTFIX_RELAYHOST="[127.0.0.1]:${sink_port[postfix]}" \
                 "$here/postfix-standalone.sh" start "$work/postfix" "$postfix_port" >/dev/null ;;
      exim) EXIM_RELAY_TO="127.0.0.1::${sink_port[exim]}" "$here/exim-standalone.sh" start "$work/exim" "$exim_port" \
              >/dev/null ;;
      floor) ;;
      *) echo "unknown server $name (SERVERS: petrel postfix exim floor)" >&2; exit 2 ;;
    esac
  done
  for name in $servers; do [ "$name" = floor ] || { local p="${name}_port"; wait_listening "${!p}"; }; done
  for name in $servers; do
    case $name in
      petrel) cpu_track petrel "$petrel_pid" ;;
      postfix) cpu_track postfix "$(cat "$work/postfix/queue/pid/master.pid" 2>/dev/null | tr -d ' ')" ;;
      exim) cpu_track exim "$(tr -d ' \n' <"$work/exim/exim.pid" 2>/dev/null)" ;;
    esac
  done

  echo "smtp-source -s $sessions -m $messages -l $size ${mode:+$mode }-> MTA -> smtp-sink: $warmup warm-up rounds, then the median of $rounds; $(nproc) cores"
  for name in $servers; do : >"$work/$name.times"; : >"$work/$name.cpu"; done
  for r in $(seq 1 $((warmup + rounds))); do
    for name in $servers; do   # interleaved
      # Exim and the floor have no JIT or worker pool to warm: no warm-up.
      { [ "$name" = exim ] || [ "$name" = floor ]; } && [ "$r" -le "$warmup" ] && continue
      local port_var="${name}_port" t c0
      c0=$(cpu_ms "$name")
      t=$(relay_round "${!port_var}" "${sink_port[$name]}" "$sinks/sink-$name-$r") || {
        echo "FAIL: $name did not relay all $messages messages in round $r; its log ends:" >&2
        tail -n 5 "$work/petrel/log/mainlog" "$work/postfix/maillog" "$work/exim/log/mainlog" >&2 2>/dev/null || true
        exit 1; }
      local cpu=$(( $(cpu_ms "$name") - c0 ))
      [ "$r" -gt "$warmup" ] && echo "$t" >>"$work/$name.times" && echo "$cpu" >>"$work/$name.cpu"
      echo "round $r $name: $t s, CPU $cpu ms" >&2
    done
  done
  declare -A secs=()
  echo
  printf '%-8s %10s %10s %14s\n' server seconds msgs/s "CPU ms/msg"
  for name in $servers; do
    secs[$name]=$(median <"$work/$name.times")
    printf '%-8s %10.2f %10.0f %14.3f\n' "$name" "${secs[$name]}" "$(echo "$messages / ${secs[$name]}" | bc -l)" \
      "$(echo "$(median <"$work/$name.cpu") / $messages" | bc -l)"
  done
  for name in postfix exim floor; do
    if [ -n "${secs[petrel]:-}" ] && [ -n "${secs[$name]:-}" ]; then
      printf 'ratio petrel/%s: %.2f\n' "$name" "$(echo "${secs[$name]} / ${secs[petrel]}" | bc -l)"
    fi
  done
}

# One timed round against the MTA on PORT relaying to a fresh smtp-sink on SINK_PORT that dumps into DIR;
# prints the seconds from smtp-source's start until the sink has every message (bounded: 300 s).
relay_round() { # PORT SINK_PORT DIR
  local port=$1 sink=$2 dumps=$3 start end deadline n
  mkdir -p "$dumps"; chown postfix:postfix "$dumps"
  # Not through postfix_run: $! must be smtp-sink itself, not a subshell, for stop_sink to end it.
  LD_LIBRARY_PATH="$POSTFIX_LD_LIBRARY_PATH" "$SMTP_SINK" -u postfix -d "$dumps/%H%M%S." "127.0.0.1:$sink" 256 \
    >"$dumps.out" 2>&1 &
  echo $! >"$work/sink.pid"   # a file: this runs in a command substitution, the EXIT trap in its parent
  wait_listening "$sink" >&2
  start=$(date +%s.%N)
  postfix_run "$SMTP_SOURCE" $mode -s "$sessions" -m "$messages" -l "$size" -f bench@client.test \
    -t user@relay.bench "127.0.0.1:$port" >/dev/null
  deadline=$(( $(date +%s) + 300 ))
  n=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$(ls -f "$dumps" | wc -l); n=$((n - 2))   # without . and ..
    [ "$n" -ge "$messages" ] && break
    sleep 0.05
  done
  end=$(date +%s.%N)
  stop_sink
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dumps"
  [ "$n" -ge "$messages" ] || return 1
  echo "$end - $start" | bc -l
}

stop_sink() {
  local pid
  pid=$(cat "$work/sink.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    local i   # gone before the next sink binds its port: at most 5 s, then SIGKILL
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$work/sink.pid"
  fi
}

if [ "${1:-}" = smtp ]; then
  shift
  relaying "$@"
  exit 0
fi

sessions=${1:-8}
messages=${2:-5000}
size=${3:-5000}
drain=${4:-300}
seen=${5:-0}

bench_prepare
"$root/bin/petrel" version >/dev/null   # builds the jar if needed

work="$(mktemp -d /tmp/petrel-relay.XXXXXX)"
petrel_port=$(free_port); postfix_port=""; exim_port=""
petrel_bench_config

petrel_pid=""
trap stop_servers EXIT
mkdir -p "$work/petrel"
start_petrel "$root" "$work/petrel.conf" "$work/petrel"
wait_listening "$petrel_port"

queued() { find "$work/petrel/spool/input" -maxdepth 1 -type f -name '??????-*' ! -name '*-J' ! -name '*-L' ! -name '*.tmp' ! -name '*.spill' ! -name '*.spare' | wc -l; }
completed() { grep -c ' Completed$' "$work/petrel/log/mainlog" || true; }

if [ "$seen" -gt 0 ]; then
  mkdir -p "$work/petrel/mail/user/cur"
  (cd "$work/petrel/mail/user/cur" && seq 1 "$seen" | sed 's/$/.seen.bench:2,S/' | xargs touch)
fi
start=$(date +%s.%N)
postfix_run "$SMTP_SOURCE" -s "$sessions" -m "$messages" -l "$size" -f bench@client.test \
  -t user@bench.test "127.0.0.1:$petrel_port" >/dev/null &
source_pid=$!
# The longest queue seen while the load runs, sampled twice a second (ends with smtp-source).
longest=0
while kill -0 "$source_pid" 2>/dev/null; do
  n=$(queued); [ "$n" -gt "$longest" ] && longest=$n
  sleep 0.5
done
wait "$source_pid"
arrived=$(date +%s.%N)
queue_at_end=$(queued)
done_at_end=$(completed)

# Bounded wait for the queue to drain.
deadline=$(( $(date +%s) + drain ))
while [ "$(queued)" -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
drained=$(date +%s.%N)
left=$(queued)
delivered_total=$(completed)

files=$(find "$work/petrel/mail" -path '*/new/*' -type f | wc -l)

arrival_s=$(echo "$arrived - $start" | bc -l)
total_s=$(echo "$drained - $start" | bc -l)
echo "smtp-source -s $sessions -m $messages -l $size into Petrel, maildir delivery ($seen seen in cur/), $(nproc) cores"
printf '%-34s %10.2f s  %8.0f msgs/s\n' "arrival (smtp-source)" "$arrival_s" "$(echo "$messages / $arrival_s" | bc -l)"
printf '%-34s %10d of %d\n' "delivered when the load ended" "$done_at_end" "$messages"
printf '%-34s %10d messages\n' "queue when the load ended" "$queue_at_end"
printf '%-34s %10d messages\n' "longest queue during the load" "$longest"
printf '%-34s %10.2f s  %8.0f msgs/s\n' "all delivered (from the start)" "$total_s" "$(echo "$delivered_total / $total_s" | bc -l)"
printf '%-34s %10.2f msgs/s\n' "delivery during the load" "$(echo "$done_at_end / $arrival_s" | bc -l)"
# A maildir file's name carries the message id, so one file per message means each was delivered once.
echo "maildir files: $files; left in the spool: $left"
[ "$left" -eq 0 ] && [ "$files" -eq "$messages" ] || { echo "FAIL: not every message delivered exactly once" >&2; exit 1; }
