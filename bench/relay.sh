#!/usr/bin/env bash
# Delivery against arrival: Postfix's smtp-source loads a Petrel daemon that delivers as it receives (no
# queue_only), and the script reports the arrival rate, the delivery rate, and how long the queue was when
# the load ended. A daemon that keeps pace ends the load with a short queue and drains it at once.
#
#   bench/relay.sh [SESSIONS] [MESSAGES] [SIZE] [DRAIN_SECONDS] [SEEN]     defaults: 8 5000 5000 300 0
#
# SEEN: messages already read in the mailbox (files in its cur/), as a mailbox in use has; a delivery must not
# slow down with them.
#
# Case measured so far: local delivery (accept router, appendfile maildir transport), every message to one
# mailbox (the hard case for a maildir: its new/ grows by the whole load). Relaying through the smtp transport to smtp-sink, and Postfix and Exim beside Petrel in the
# same run, come with the smtp transport (issue 9's relay table).
# Afterwards every message must be in exactly one maildir file and the spool empty; the script fails if not.
set -euo pipefail
sessions=${1:-8}
messages=${2:-5000}
size=${3:-5000}
drain=${4:-300}
seen=${5:-0}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
. "$here/lib.sh"
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

queued() { find "$work/petrel/spool/input" -maxdepth 1 -type f -name '??????-*' ! -name '*-J' ! -name '*-L' ! -name '*.tmp' ! -name '*.spill' | wc -l; }
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
