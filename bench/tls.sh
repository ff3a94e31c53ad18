#!/usr/bin/env bash
# TLS handshake cost: full vs resumed (session ticket) handshakes on implicit-TLS ports of Petrel, a standalone
# Postfix 3.7 (smtps, smtpd_tls_wrappermode) and a standalone Exim 4.96 (GnuTLS, tls_on_connect_ports), all
# with tickets on for every client, TLS 1.2 and 1.3, in the same run on this machine. Prints per server,
# protocol and client: connections per second and the server's CPU milliseconds per connection, full and
# resumed, and their ratio (the issue's target: a resumed handshake at least 3x cheaper on Petrel).
#
#   bench/tls.sh [SECONDS] [ROUNDS] [WARMUP]        defaults: 5 3 3
#
# Each measurement is one client running sequential connections for SECONDS; ROUNDS rounds (servers and
# configurations interleaved, so that background noise hits all alike), medians reported. WARMUP seconds of
# untimed runs of every configuration come first (Petrel's JIT; Postfix's smtpd and tlsmgr already forked).
# Env: SERVERS="petrel postfix exim" (a subset works); PETREL_TREE=dir with a built target/petrel.jar and
# target/lib (default: this checkout, built by bin/petrel when needed).
#
# Clients (the "tool" column):
#   s_time  `openssl s_time -new|-reuse`: handshake, then close; no application data read. Its reuse count
#           (one 'r' per resumed connection) is checked. It cannot resume TLS 1.3 (it never reads, so never
#           sees the post-handshake NewSessionTicket): TLS 1.3 gets a full-only row from it.
#   python  bench/tls-handshakes.py (Python's ssl, OpenSSL 3): handshake, read the 220 banner, close; with
#           session= for resumption, checked per connection with session_reused. Works for 1.2 and 1.3.
# Server CPU: utime+stime (+cutime+cstime of reaped children) summed over the server's process tree from
# /proc (Postfix's master, smtpd, tlsmgr...; Exim's daemon and its per-connection children; Petrel's JVM),
# read before and after each run, divided by the number of connections. It includes everything a server
# does per connection (accept, fork for Exim, banner, logging), not only TLS; "saved" is full minus resumed.
# All three use the same RSA-2048 self-signed certificate generated here.
set -euo pipefail
seconds=${1:-5}
rounds=${2:-3}
warmup=${3:-3}
servers=${SERVERS:-petrel postfix exim}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
. "$here/lib.sh"
bench_prepare
tree=${PETREL_TREE:-$root}
if [ -z "${PETREL_TREE:-}" ]; then
  "$root/bin/petrel" version >/dev/null   # builds the jar if needed
fi
client="$here/tls-handshakes.py"
tck=$(getconf CLK_TCK)

work="$(mktemp -d /tmp/petrel-tls-bench.XXXXXX)"
chmod 755 "$work"   # the postfix and Debian-exim users must reach their directories inside it

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 30 \
  -subj /CN=bench.petrel.test 2>/dev/null
chmod 644 "$work/key.pem" "$work/cert.pem"   # a throw-away key; Exim's children read it as Debian-exim

petrel_smtp=$(free_port); petrel_port=$(free_port); postfix_port=$(free_port); exim_port=$(free_port)
cat >"$work/petrel.conf" <<CONF
primary_hostname = petrel.bench
local_interfaces = 127.0.0.1.$petrel_smtp : 127.0.0.1.$petrel_port
tls_on_connect_ports = $petrel_port
tls_resumption_hosts = *
tls_certificate = $work/cert.pem
tls_privatekey = $work/key.pem
spool_directory = $work/petrel/spool
log_file_path = $work/petrel/log/%slog
queue_only
CONF

petrel_pid=""
trap stop_servers EXIT

declare -A port pid plain
for s in $servers; do
  case $s in
    petrel)
      mkdir -p "$work/petrel"
      start_petrel "$tree" "$work/petrel.conf" "$work/petrel"
      pid[petrel]=$petrel_pid; port[petrel]=$petrel_port; plain[petrel]=$petrel_smtp ;;
    postfix)
      POSTFIX_TLS_CERT="$work/cert.pem" POSTFIX_TLS_KEY="$work/key.pem" POSTFIX_TLS_WRAPPERMODE=yes \
        "$here/postfix-standalone.sh" start "$work/postfix" "$postfix_port" >/dev/null
      pid[postfix]=$(tr -d ' \n' <"$work/postfix/queue/pid/master.pid"); port[postfix]=$postfix_port ;;
    exim)
      EXIM_TLS_CERT="$work/cert.pem" EXIM_TLS_KEY="$work/key.pem" EXIM_TLS_ON_CONNECT=yes \
        "$here/exim-standalone.sh" start "$work/exim" "$exim_port" >/dev/null
      pid[exim]=$(tr -d ' \n' <"$work/exim/exim.pid"); port[exim]=$exim_port ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac
done
for s in $servers; do wait_listening "${port[$s]}"; done
if [ -n "$petrel_pid" ]; then grep -h 'TLS engine' "$work/petrel/log/mainlog" | sed 's/^/petrel: /'; fi

# Resumption seen from the client side, with the tool the spec names (s_client -sess_out / -sess_in).
echo "== s_client -sess_out, then -sess_in (implicit TLS, 127.0.0.1)"
for s in $servers; do
  for v in tls1_2 tls1_3; do
    rm -f "$work/sess"
    first=$(printf 'QUIT\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:${port[$s]}" -"$v" -ign_eof \
      -sess_out "$work/sess" 2>&1 | grep -aE '^(New|Reused),' | head -1 || true)
    second=$(printf 'QUIT\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:${port[$s]}" -"$v" -ign_eof \
      -sess_in "$work/sess" 2>&1 | grep -aE '^(New|Reused),' | head -1 || true)
    printf '%-8s %-7s first: %-45s second: %s\n' "$s" "$v" "$first" "$second"
  done
done
n13=$(timeout 20 openssl s_time -connect "127.0.0.1:${port[${servers%% *}]}" -reuse -tls1_3 -time 1 2>/dev/null |
  grep -aE '^[r*]+$' | tr -d '\n*' | wc -c || true)
echo "(s_time -reuse -tls1_3 against ${servers%% *} for 1 s: $n13 connections reused: it cannot resume TLS 1.3)"

cpu() { python3 "$client" cpu "$1"; }

# One run; appends "server tool proto mode connections reused seconds cputicks" to $work/results.
# PROTO plain runs only where the server has a cleartext port here (Petrel's).
measure() { # SERVER TOOL PROTO MODE SECONDS [record]
  local s=$1 tool=$2 proto=$3 mode=$4 secs=$5 record=${6:-}
  local before after out count reused elapsed start end noops=0
  [ "$proto" = plain ] && [ -z "${plain[$s]:-}" ] && return 0
  sleep 0.3
  before=$(cpu "${pid[$s]}")
  if [ "$tool" = s_time ]; then
    start=$(date +%s.%N)
    out=$(timeout $((secs * 3 + 30)) openssl s_time -connect "127.0.0.1:${port[$s]}" -"$mode" \
      -tls"${proto/./_}" -time "$secs" 2>&1 || true)
    end=$(date +%s.%N)
    count=$(printf '%s\n' "$out" | grep -aoE '^[0-9]+ connections in' | head -1 | cut -d' ' -f1)
    reused=$(printf '%s\n' "$out" | grep -aE '^[r*]+$' | tr -d '\n*' | wc -c)
    elapsed=$(echo "$end - $start" | bc -l)
  else
    local p=${port[$s]}
    [ "$proto" = plain ] && p=${plain[$s]}
    read -r count reused elapsed noops < <(python3 "$client" run "$p" "$proto" "$mode" "$secs")
  fi
  sleep 0.5   # let forked children exit and be reaped into their parent's cutime/cstime
  after=$(cpu "${pid[$s]}")
  if [ -z "$count" ] || [ "$count" -eq 0 ]; then echo "$s $tool $proto $mode: no connections: $out" >&2; return 1; fi
  [ -n "$record" ] && echo "$s $tool $proto $mode $count $reused $elapsed $((after - before)) $noops" >>"$work/results"
  return 0
}

configs="s_time:1.2:new s_time:1.2:reuse python:1.2:new python:1.2:reuse python:1.3:new python:1.3:reuse s_time:1.3:new python:plain:new"
echo
echo "warm-up: $warmup s of every configuration on every server (untimed)"
for c in $configs; do
  IFS=: read -r tool proto mode <<<"$c"
  for s in $servers; do measure "$s" "$tool" "$proto" "$mode" "$warmup"; done
done
: >"$work/results"
echo "measuring: $rounds rounds x $seconds s per configuration and server; $(nproc) cores"
for r in $(seq 1 "$rounds"); do
  for c in $configs; do
    IFS=: read -r tool proto mode <<<"$c"
    for s in $servers; do measure "$s" "$tool" "$proto" "$mode" "$seconds" record; done
  done
  echo "  round $r done"
done

# Medians per server/tool/proto/mode: conn/s, CPU ms per connection, share of connections resumed.
stat_of() { # SERVER TOOL PROTO MODE  -> "connps cpums reusedpct" (medians; reused: the minimum share)
  local rows; rows=$(awk -v s="$1" -v t="$2" -v p="$3" -v m="$4" '$1==s && $2==t && $3==p && $4==m' "$work/results")
  [ -n "$rows" ] || { echo "- - -"; return; }
  echo "$(awk '{print $5/$7}' <<<"$rows" | median) $(awk -v tck="$tck" '{print $8*1000/tck/$5}' <<<"$rows" | median)" \
    "$(awk 'BEGIN{m=100} {p=100*$6/$5; if (p<m) m=p} END{print m}' <<<"$rows")"
}
echo
echo "== medians of $rounds runs of $seconds s; CPU = server CPU ms per connection (all its processes)"
printf '%-8s %-6s %-7s %9s %9s %9s %9s %8s %8s %9s\n' server proto tool "full/s" "resumed/s" "cpu full" "cpu res" "full/res" "saved" "resumed%"
declare -A ratio
for s in $servers; do
  for pt in 1.2:s_time 1.2:python 1.3:python 1.3:s_time; do
    IFS=: read -r proto tool <<<"$pt"
    read -r fps fcpu freu <<<"$(stat_of "$s" "$tool" "$proto" new)"
    read -r rps rcpu rreu <<<"$(stat_of "$s" "$tool" "$proto" reuse)"
    if [ "$rps" = - ]; then
      printf '%-8s %-6s %-7s %9.0f %9s %9.3f %9s %8s %8s %9s\n' "$s" "TLS$proto" "$tool" "$fps" - "$fcpu" - - - "n/a"
    else
      r=$(echo "$fcpu / $rcpu" | bc -l)
      ratio[$s:$proto:$tool]=$r
      printf '%-8s %-6s %-7s %9.0f %9.0f %9.3f %9.3f %8.2f %8.3f %8.0f%%\n' "$s" "TLS$proto" "$tool" "$fps" "$rps" \
        "$fcpu" "$rcpu" "$r" "$(echo "$fcpu - $rcpu" | bc -l)" "$rreu"
    fi
  done
done
echo "(resumed% = lowest share of resumed connections among the resumed runs, from the client: s_time's 'r' marks,"
echo " Python's session_reused; full runs resumed none: $(awk '$4=="new" && $6>0' "$work/results" | wc -l) exceptions)"
echo "(python TLS 1.3 connections whose ticket came after the banner, so that a NOOP round trip followed: $(
  awk '$2=="python" && $3=="1.3" {n[$1" "$4]+=$9; c[$1" "$4]+=$5} END {for (k in n) printf "%s %d/%d; ", k, n[k], c[k]}' "$work/results"))"
if [[ " $servers " == *" petrel "* ]]; then
  echo
  for k in 1.2:s_time 1.2:python 1.3:python; do
    r=${ratio[petrel:$k]:-}
    [ -n "$r" ] || continue
    verdict=$(echo "$r >= 3" | bc -l)
    printf 'petrel TLS%s (%s): a resumed connection costs %.2fx less server CPU than a full one: %s 3x\n' \
      "${k%%:*}" "${k##*:}" "$r" "$([ "$verdict" = 1 ] && echo meets || echo misses)"
  done
  # The same without what every connection costs with or without TLS (accept, banner, the close and its log
  # line, the event loop's wake-ups): the baseline is a cleartext connection doing the same (connect, read
  # the banner, close) on Petrel's plain port, measured in the same rounds.
  read -r _ base _ <<<"$(stat_of petrel python plain new)"
  if [ -n "$base" ] && [ "$base" != - ]; then
    printf 'petrel cleartext baseline (python: connect, banner, close): %.3f ms CPU per connection\n' "$base"
    for k in 1.2:s_time 1.2:python 1.3:python; do
      IFS=: read -r proto tool <<<"$k"
      read -r _ fcpu _ <<<"$(stat_of petrel "$tool" "$proto" new)"
      read -r _ rcpu _ <<<"$(stat_of petrel "$tool" "$proto" reuse)"
      [ "$rcpu" = - ] && continue
      f=$(echo "$fcpu - $base" | bc -l); r=$(echo "$rcpu - $base" | bc -l)
      verdict=$(echo "$f >= 3 * $r" | bc -l)
      printf 'petrel TLS%s (%s): the handshake alone (minus the baseline): full %.3f ms, resumed %.3f ms: %.2fx cheaper: %s 3x\n' \
        "$proto" "$tool" "$f" "$r" "$(echo "$f / $r" | bc -l)" "$([ "$verdict" = 1 ] && echo meets || echo misses)"
    done
  fi
  # No message is sent, so no <= lines; a client that closes with the banner unread (s_time) resets the
  # connection, which Petrel logs as "closed after error: ... Connection reset by peer".
  echo "petrel mainlog, lines by kind (digits replaced by N):"
  sed -E 's/^[0-9-]+ [0-9:]+ //; s/[0-9]+/N/g' "$work/petrel/log/mainlog" | sort | uniq -c | sort -rn | head -5
fi
