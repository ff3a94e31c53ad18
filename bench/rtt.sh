#!/usr/bin/env bash
# The round-trip lab: time per delivery over a delay line, in round trips, for each delivery mode and
# client -> server pair (issue 11). Needs root: it builds two network namespaces (bench/lab/netns-up.sh),
# the clients in petA (198.18.0.1), the servers in petB (198.18.0.2), joined by `netdelay` (RTT = 2 x DELAY).
#
#   bench/rtt.sh                 # N=7 messages per cell after 3 warm-up ones, one-way delay 25 ms (RTT 50 ms)
#   bench/rtt.sh 5 25 2          # N DELAY_MS WARMUP
#   PAIRS="petrel-petrel exim-exim" MODES="clear early" bench/rtt.sh
#   WARM=0 bench/rtt.sh          # Petrel's JVMs cold: no warm-up load before the cells (see WARM below)
#
# One message per new connection. The warm-up messages of each cell leave what the fast modes live on: the
# server's EHLO in the client's hints (early pipelining), a TLS ticket (resumption) and the kernel's TCP Fast
# Open cookie. What is timed is the delivery as the client sees it, from the start of its connect to the
# reply that settles the message (before QUIT), read from the client's own log: Exim's and Petrel's
# `DT=` (log_selector +deliver_time +millisec). Both take the time on the delivering process's clock, so the
# JVM start of a command or Exim's fork is not in it; Petrel's own time per message is. Postfix (a full
# instance in each namespace, bench/postfix-standalone.sh) logs no DT=; its smtp client's `delays=a/b/c/d`
# splits a delivery into before the queue manager (a), in it (b), connection setup with EHLO and TLS (c) and
# transmission until the final reply (d): c + d starts and ends where DT= does. Postfix has no early
# pipelining (no PIPECONNECT) and no client TCP Fast Open: those two cells are n/a.
# The client is fed by smtp-source over its namespace's loopback (no delay), one message at a time.
#
# WARM=N (default 2000; 0 = off): before any cell, each Petrel JVM (client and server) handles N messages per
# mode over its own namespace's loopback, so that what is timed is compiled code, as in a daemon that has run
# for a while, not the interpreter and C1 (a cell's 3 + 7 messages are far below C2's thresholds). The client
# relays to a second Petrel server in petA (127.0.0.1), the server takes from a second Petrel client in petB
# (to 198.18.0.2, not through the delay line); neither changes what a cell lives on: the client's EHLO records,
# tickets and Fast Open cookies for 198.18.0.2 come only from the cells' own warm-up messages, and the server's
# spool is emptied of the warm-up messages afterwards. The extra JVMs are stopped before the first cell.
#
# Output: a table (seconds and round trips = time / RTT, medians) on standard output, and with
# OUT=DIR (default bench/results) DIR/rtt.md, DIR/rtt.svg (a chart of round trips per mode and pair) and
# DIR/rtt-traces.md: the last delivery of each cell packet by packet, as netdelay saw it (NETDELAY_TRACE).
set -euo pipefail

N=${1:-7}
DELAY=${2:-25}
WARMUP=${3:-3}
WARM=${WARM:-2000}
PAIRS=${PAIRS:-"petrel-petrel petrel-exim exim-petrel exim-exim postfix-postfix"}
MODES=${MODES:-"clear early tls tlsearly smtps"}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$here/lib.sh"
bench_prepare
"$root/bin/petrel" version >/dev/null # builds the jar if needed

[ "$(id -u)" = 0 ] || { echo "bench/rtt.sh needs root (network namespaces)" >&2; exit 1; }
if ip netns list | grep -qE '^pet[AB]( |$)'; then
  echo "namespaces petA/petB exist already (another lab running?): bench/lab/netns-down.sh removes them" >&2
  exit 1
fi

work=$(mktemp -d /tmp/petrel-rtt.XXXXXX)
chmod 755 "$work"
export LAB_DIR="$work/lab"
A="ip netns exec petA"
B="ip netns exec petB"
SERVER_IP=198.18.0.2
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -d "$work/postfix-client" ] && $A "$here/postfix-standalone.sh" stop "$work/postfix-client" >/dev/null 2>&1 || true
  [ -d "$work/postfix-server" ] && $B "$here/postfix-standalone.sh" stop "$work/postfix-server" >/dev/null 2>&1 || true
  for f in "$work"/exim-*/exim.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 0.5
  "$here/lab/netns-down.sh" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# netdelay logs every segment (bench/lab/netdelay.c): the last delivery of each cell is shown packet by packet.
export NETDELAY_TRACE="$work/trace.txt"
: >"$NETDELAY_TRACE"
"$here/lab/netns-up.sh" "$DELAY" >/dev/null
RTT_MS=$((2 * DELAY))

# Ports: each server on its own pair (cleartext/STARTTLS, implicit TLS); clients on petA's loopback.
PETREL_SMTP=25 PETREL_SMTPS=465 EXIM_SMTP=2525 EXIM_SMTPS=4650
PETREL_CLIENT=2625 EXIM_CLIENT=2626
POSTFIX_SMTP=2526 POSTFIX_SMTPS=4651 POSTFIX_CLIENT=2627

# Recipient domains name the mode and the server: clear.petrel.rtt, tlsearly.exim.rtt, ...
route() { # MODE -> route_list for that mode's domains
  local mode=$1 p e
  if [ "$mode" = smtps ]; then p=$PETREL_SMTPS e=$EXIM_SMTPS; else p=$PETREL_SMTP e=$EXIM_SMTP; fi
  echo "$mode.petrel.rtt $SERVER_IP::$p ; $mode.exim.rtt $SERVER_IP::$e ; $mode.warm.rtt 127.0.0.1::$p"
}

# What each mode asks of a transport (the option names are Exim's; both clients read them).
transport_options() { # MODE
  case $1 in
    clear) echo "  hosts_avoid_tls = *" ;;
    early) printf '  hosts_avoid_tls = *\n  hosts_pipe_connect = *\n' ;;
    tls) echo "  hosts_require_tls = *" ;;
    tlsearly) printf '  hosts_require_tls = *\n  hosts_pipe_connect = *\n  tls_resumption_hosts = *\n' ;;
    smtps) printf '  protocol = smtps\n  hosts_require_tls = *\n  hosts_pipe_connect = *\n  tls_resumption_hosts = *\n' ;;
  esac
}

client_routing() { # the routers and transports both clients share
  echo "begin routers"
  for m in $MODES; do
    cat <<CONF
r_$m:
  driver = manualroute
  domains = $m.petrel.rtt : $m.exim.rtt : $m.warm.rtt
  transport = t_$m
  route_list = $(route "$m")
CONF
  done
  echo "begin transports"
  for m in $MODES; do
    printf 't_%s:\n  driver = smtp\n  hosts_try_fastopen = *\n  connection_max_messages = 1\n%s\n' "$m" "$(transport_options "$m")"
  done
}

# --- certificate for the servers ------------------------------------------------------------------------
mkdir -p "$work/tls"
"$OPENSSL" req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.rtt" -keyout "$work/tls/key.pem" \
  -out "$work/tls/cert.pem" >/dev/null 2>&1
chmod 644 "$work/tls/"*.pem

# --- Petrel ---------------------------------------------------------------------------------------------
jar_cp="$root/target/petrel.jar:$root/target/lib/*"
start_petrel_in() { # NS DIR CONFIG
  mkdir -p "$2"
  $1 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar_cp" dev.petrel.cli.Main daemon -C "$3" \
    --queue-interval 86400 >"$2/daemon.out" 2>&1 &
  pids+=($!)
}

petrel_server_conf() { # DIR ADDRESS
mkdir -p "$1"
cat >"$1/petrel.conf" <<CONF
primary_hostname = petrel.rtt
local_interfaces = $2.$PETREL_SMTP : $2.$PETREL_SMTPS
tls_on_connect_ports = $PETREL_SMTPS
tls_certificate = $work/tls/cert.pem
tls_privatekey = $work/tls/key.pem
tls_resumption_hosts = *
spool_directory = $1/spool
log_file_path = $1/log/%slog
log_selector = +pipelining +tls_resumption
queue_only = true
domainlist local_domains = *
begin routers
everything:
  driver = accept
  transport = mailbox
begin transports
mailbox:
  driver = appendfile
  directory = $1/mail
  maildir_format
CONF
}
petrel_client_conf() { # DIR
  mkdir -p "$1"
  {
    cat <<CONF
primary_hostname = client.petrel.rtt
local_interfaces = 127.0.0.1.$PETREL_CLIENT
spool_directory = $1/spool
log_file_path = $1/log/%slog
log_selector = +pipelining +tls_resumption +deliver_time +millisec
hostlist relay_from_hosts = 127.0.0.1
CONF
    client_routing
  } >"$1/petrel.conf"
}
petrel_server_conf "$work/petrel-server" $SERVER_IP
petrel_client_conf "$work/petrel-client"
# The warm-up's peers: a server for the client in petA, a client for the server in petB (see WARM above).
petrel_server_conf "$work/warm-server" 127.0.0.1
petrel_client_conf "$work/warm-client"

# --- Exim -----------------------------------------------------------------------------------------------
exim_conf() { # DIR ROLE(server|client)
  local dir=$1
  mkdir -p "$dir/spool" "$dir/log"
  chown Debian-exim:Debian-exim "$dir/spool" "$dir/log"
  {
    cat <<CONF
exim_path = $EXIM
keep_environment = LD_LIBRARY_PATH
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
pid_file_path = $dir/exim.pid
host_lookup =
rfc1413_hosts =
acl_smtp_rcpt = acl_rcpt
log_selector = +pipelining +tls_resumption +deliver_time +millisec +received_recipients
CONF
    if [ "$2" = server ]; then
      cat <<CONF
primary_hostname = exim.rtt
local_interfaces = <; $SERVER_IP.$EXIM_SMTP ; $SERVER_IP.$EXIM_SMTPS
tls_on_connect_ports = $EXIM_SMTPS
tls_advertise_hosts = *
tls_certificate = $work/tls/cert.pem
tls_privatekey = $work/tls/key.pem
tls_resumption_hosts = *
pipelining_connect_advertise_hosts = *
queue_only = true
begin acl
acl_rcpt:
  accept
begin routers
everything:
  driver = accept
  transport = devnull
begin transports
devnull:
  driver = appendfile
  file = /dev/null
  user = Debian-exim
CONF
    else
      cat <<CONF
primary_hostname = client.exim.rtt
local_interfaces = 127.0.0.1.$EXIM_CLIENT
tls_advertise_hosts =
begin acl
acl_rcpt:
  accept
CONF
      client_routing
    fi
  } >"$dir/exim.conf"
  chmod 644 "$dir/exim.conf"
}
start_exim_in() { # NS DIR
  LD_LIBRARY_PATH="$EXIM_LD_LIBRARY_PATH" $1 "$EXIM" -C "$2/exim.conf" -bd -oP "$2/exim.pid" >"$2/start.out" 2>&1 </dev/null \
    || { cat "$2/start.out" >&2; exit 1; }
}
exim_conf "$work/exim-server" server
exim_conf "$work/exim-client" client

# --- Postfix (when a pair needs it) ---------------------------------------------------------------------
# The server holds what it accepts (after its fsync, as queue_only does); the client relays each message on
# a connection of its own (no connection cache), per domain through smtp clients set for the mode.
start_postfix() {
  POSTFIX_ADDRESS=$SERVER_IP POSTFIX_INET_INTERFACES=all POSTFIX_MYNETWORKS="127.0.0.0/8 198.18.0.0/24" \
    POSTFIX_TLS_CERT="$work/tls/cert.pem" POSTFIX_TLS_KEY="$work/tls/key.pem" \
    POSTFIX_MASTER_EXTRA="$SERVER_IP:$POSTFIX_SMTPS inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt" \
    $B "$here/postfix-standalone.sh" start "$work/postfix-server" $POSTFIX_SMTP >/dev/null
  local to="[$SERVER_IP]:$POSTFIX_SMTP" wrapped="[$SERVER_IP]:$POSTFIX_SMTPS"
  POSTFIX_DISPOSITION=relay POSTFIX_RELAYHOST="$to" POSTFIX_INET_INTERFACES=all POSTFIX_MAIN_EXTRA="\
transport_maps = inline:{clear.postfix.rtt=smtp:$to, tls.postfix.rtt=smtp_tls:$to, smtps.postfix.rtt=smtp_smtps:$wrapped}
smtp_connection_cache_on_demand = no
smtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache
smtp_tls_loglevel = 1
delay_logging_resolution_limit = 6" POSTFIX_MASTER_EXTRA="\
smtp_tls unix - - n - - smtp -o smtp_tls_security_level=encrypt
smtp_smtps unix - - n - - smtp -o smtp_tls_security_level=encrypt -o smtp_tls_wrappermode=yes
tlsmgr unix - - n 1000? 1 tlsmgr" \
    $A "$here/postfix-standalone.sh" start "$work/postfix-client" $POSTFIX_CLIENT >/dev/null
}
case " $PAIRS " in *" postfix-postfix "*) start_postfix ;; esac

# --- start everything -----------------------------------------------------------------------------------
start_petrel_in "$B" "$work/petrel-server" "$work/petrel-server/petrel.conf"
start_petrel_in "$A" "$work/petrel-client" "$work/petrel-client/petrel.conf"
warm_pids=()
if [ "$WARM" -gt 0 ]; then
  start_petrel_in "$A" "$work/warm-server" "$work/warm-server/petrel.conf"
  warm_pids+=("${pids[-1]}")
  start_petrel_in "$B" "$work/warm-client" "$work/warm-client/petrel.conf"
  warm_pids+=("${pids[-1]}")
fi
start_exim_in "$B" "$work/exim-server"
start_exim_in "$A" "$work/exim-client"
ns_listening() { # NS IP PORT
  $1 ss -Hltn "sport = :$3" | grep -qF "$2]:$3" || $1 ss -Hltn "sport = :$3" | grep -qF "$2:$3"
}
for i in $(seq 1 600); do
  ns_listening "$B" $SERVER_IP $PETREL_SMTP && ns_listening "$B" $SERVER_IP $EXIM_SMTP \
    && ns_listening "$A" 127.0.0.1 $PETREL_CLIENT && ns_listening "$A" 127.0.0.1 $EXIM_CLIENT \
    && { [ "$WARM" = 0 ] || { ns_listening "$A" 127.0.0.1 $PETREL_SMTPS && ns_listening "$B" 127.0.0.1 $PETREL_CLIENT; }; } \
    && break
  [ "$i" = 600 ] && { echo "servers did not start; see $work" >&2; KEEP=1; exit 1; }
  sleep 0.1
done

# --- one cell -------------------------------------------------------------------------------------------
client_log() {
  case $1 in
    petrel) echo "$work/petrel-client/log/mainlog" ;; exim) echo "$work/exim-client/log/mainlog" ;;
    postfix) echo "$work/postfix-client/maillog" ;;
  esac
}
client_port() { case $1 in petrel) echo $PETREL_CLIENT ;; exim) echo $EXIM_CLIENT ;; postfix) echo $POSTFIX_CLIENT ;; esac; }
# What a client logs for a delivery to RCPT, and for a failed or deferred one (extended regular expressions).
delivered() { case $1 in postfix) echo " to=<$2>, .* status=sent " ;; *) echo " => $2 " ;; esac; }
not_delivered() { case $1 in postfix) echo " to=<$2>, .* status=(deferred|bounced) " ;; *) echo " (==|\*\*) $2 " ;; esac; }

# Sends one message through CLIENT to RCPT and prints its delivery line once it is there (or fails).
send_one() { # CLIENT RCPT
  local log n line
  log=$(client_log "$1")
  n=$(grep -cE "$(delivered "$1" "$2")" "$log" 2>/dev/null || true)
  $A env LD_LIBRARY_PATH="$POSTFIX_LD_LIBRARY_PATH" "$SMTP_SOURCE" -m 1 -f sender@client.rtt -t "$2" \
    "127.0.0.1:$(client_port "$1")" >/dev/null
  for _ in $(seq 1 200); do
    line=$(grep -E "$(delivered "$1" "$2")" "$log" 2>/dev/null | sed -n "$((n + 1))p")
    [ -n "$line" ] && { echo "$line"; return 0; }
    if grep -qE "$(not_delivered "$1" "$2")" "$log" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "no delivery to $2 through $1: $(grep " $2 " "$log" | tail -1)" >&2
  return 1
}

# The segments of the first connection after line MARK of the trace, times from its SYN, both directions
# on the sender's clock (a segment reaches the other side DELAY ms later); with DT (seconds), each side's own
# time too. A side's own time for a segment it sends (data, or its FIN before QUIT) is from the later of the
# other side's last segment with something to answer (data, SYN, SYN-ACK, FIN) reaching it and its own
# previous segment, to this one leaving; it includes netdelay's own ~0.2 ms a leg. Counted up to the reply
# that settles the delivery: the server's last data to reach the client within DT (+1 ms for DT's rounding;
# DT starts before the SYN). DT minus that reply's arrival is the client's time before the SYN and after it.
# (Exim's client logs its delivery after QUIT's 221: for it that reply is the 221.)
# With "summary", one line: server, client between, client before/after (ms).
connection_trace() { # MARK [DT [summary]]
  tail -n +"$(($1 + 1))" "$NETDELAY_TRACE" | awk -v d="$DELAY" -v dt="${2:-}" -v summary="${3:-}" '
    !port && $2 == ">" && $5 == "S" { port = $3; start = $1 }
    port && (($2 == ">" && $3 == port) || ($2 == "<" && $4 == port)) {
      n++; t[n] = $1 - start; cl[n] = ($2 == ">"); fl[n] = $5; len[n] = $6; ex[n] = $7
    }
    function answerable(i) { return len[i] > 0 || fl[i] ~ /[SF]/ }
    END {
      limit = (dt != "") ? dt * 1000 + 1 : 1e9
      settle = -1
      for (i = 1; i <= n; i++) if (!cl[i] && len[i] > 0 && t[i] + d <= limit) settle = t[i] + d
      own_s = own_c = 0; prev[0] = prev[1] = -1
      for (i = 1; i <= n; i++) {
        held[i] = ""
        if (!(len[i] > 0 || (fl[i] ~ /F/ && !cl[i]))) continue
        if (cl[i] ? t[i] >= settle : t[i] + d > settle) continue
        from = prev[cl[i]]
        for (j = 1; j <= n; j++) if (cl[j] != cl[i] && answerable(j) && t[j] + d <= t[i] && t[j] + d > from) from = t[j] + d
        prev[cl[i]] = t[i]
        if (from < 0) continue
        held[i] = t[i] - from
        if (cl[i]) own_c += held[i]; else own_s += held[i]
      }
      outside = (dt != "" && settle >= 0) ? dt * 1000 - settle : ""
      if (summary) { printf "%.1f\t%.1f\t%.1f\n", own_s, own_c, outside; exit }
      for (i = 1; i <= n; i++)
        printf "%8.1f ms %s %-4s %5d%s%s%s\n", t[i], (cl[i] ? "client -> server" : "server -> client"),
          fl[i], len[i], (ex[i] ? " " ex[i] : ""), (cl[i] ? "" : "   (arrives +" d " ms)"),
          (held[i] != "" ? sprintf("   [%s +%.1f ms]", (cl[i] ? "client" : "server"), held[i]) : "")
      if (outside != "")
        printf "own time: server %.1f ms, client %.1f ms between and %.1f ms before the SYN and after the last reply (DT %.0f ms)\n",
          own_s, own_c, outside, dt * 1000
    }'
}

# Seconds of a delivery line: DT=, or Postfix's c + d (connection setup and transmission).
dt_seconds() {
  sed -n 's/.* DT=\([0-9.]*\)s.*/\1/p; s/.* delays=[0-9.]*\/[0-9.]*\/\([0-9.]*\)\/\([0-9.]*\),.*/\1 \2/p' \
    | awk 'NF == 2 { printf "%.3f\n", $1 + $2; next } { print }'
}

# The TLS of Postfix's last delivery, from the line its smtp client logs before it (smtp_tls_loglevel = 1).
postfix_tls() { grep -o 'TLS connection established to [^ ]*: [^ ]* with cipher [^ ]*' "$(client_log postfix)" | tail -1 \
  | sed 's/.*: \(TLSv[^ ]*\) with cipher \(.*\)/\1:\2/'; }

# --- warm-up of the Petrel JVMs (WARM) ------------------------------------------------------------------
petrel_cli() { # NS ARGS...: a Petrel command in a namespace
  local ns=$1; shift
  $ns "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar_cp" dev.petrel.cli.Main "$@"
}
# WARM messages per mode through the Petrel client listening on NS's loopback, addressed to SERVER's domains;
# returns once its log shows them delivered, or when that count has not moved for 20 s (a warning then).
warm_through() { # NS LOG SERVER(warm|petrel)
  local want n last=-1 still=0
  want=$((WARM * $(echo $MODES | wc -w)))
  for m in $MODES; do
    $1 env LD_LIBRARY_PATH="$POSTFIX_LD_LIBRARY_PATH" "$SMTP_SOURCE" -s 4 -m "$WARM" -f sender@client.rtt \
      -t "rtt@$m.$3.rtt" "127.0.0.1:$PETREL_CLIENT" >/dev/null
  done
  while :; do
    n=$(grep -cE " => rtt@[a-z]+\.$3\.rtt " "$2" 2>/dev/null || true)
    [ "$n" -ge "$want" ] && return 0
    if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0 last=$n; fi
    [ $still -ge 40 ] && { echo "warm-up through $2: $n of $want delivered; going on" >&2; return 0; }
    sleep 0.5
  done
}
warm_started=$(date +%s)
if [ "$WARM" -gt 0 ]; then
  warm_jobs=()
  case " $PAIRS " in *" petrel-"*) warm_through "$A" "$work/petrel-client/log/mainlog" warm & warm_jobs+=($!) ;; esac
  case " $PAIRS " in *"-petrel "*) warm_through "$B" "$work/warm-client/log/mainlog" petrel & warm_jobs+=($!) ;; esac
  for j in "${warm_jobs[@]}"; do wait "$j"; done
  for p in "${warm_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  # The server keeps what it accepts (queue_only): the warm-up's messages go, so that its spool directory is
  # as small as without a warm-up.
  ids=$(petrel_cli "$B" queue list -C "$work/petrel-server/petrel.conf" | awk '$4 ~ /^</ { print $3 }')
  [ -z "$ids" ] || petrel_cli "$B" queue remove -C "$work/petrel-server/petrel.conf" $ids >/dev/null
  echo "warm-up: $WARM messages per mode and Petrel JVM in $(($(date +%s) - warm_started)) s" >&2
fi

results="$work/results.tsv" own_results="$work/own.tsv"
: >"$results"
: >"$own_results"
for pair in $PAIRS; do
  client=${pair%-*} server=${pair#*-}
  for mode in $MODES; do
    rcpt="rtt@$mode.$server.rtt"
    if [ "$client" = postfix ] && { [ "$mode" = early ] || [ "$mode" = tlsearly ]; }; then
      printf '%s\t%s\tn/a\tno PIPECONNECT in Postfix\n' "$pair" "$mode" >>"$results"
      continue
    fi
    ok=1
    for _ in $(seq 1 "$WARMUP"); do send_one "$client" "$rcpt" >/dev/null || { ok=0; break; }; done
    times=() last="" own=()
    if [ $ok = 1 ]; then
      for _ in $(seq 1 "$N"); do
        mark=$(wc -l <"$NETDELAY_TRACE")
        last=$(send_one "$client" "$rcpt") || { ok=0; break; }
        times+=("$(echo "$last" | dt_seconds)")
        own+=("$(connection_trace "$mark" "${times[-1]}" summary)")
      done
    fi
    if [ $ok = 1 ]; then
      med=$(printf '%s\n' "${times[@]}" | median)
      flags=$(echo "$last" | tr ' ' '\n' | grep -E '^(TFO\*?|L[*.]?|K|X=.*)$' | tr '\n' ' ' || true)
      if [ "$client" = postfix ]; then
        flags="delays=$(echo "$last" | sed -n 's/.* delays=\([^,]*\),.*/\1/p')"
        [ "$mode" = clear ] || flags="$flags $(postfix_tls)"
      fi
      printf '%s\t%s\t%s\t%s\n' "$pair" "$mode" "$med" "$flags" >>"$results"
      { echo "## $pair $mode: $(echo "$last" | dt_seconds) s"; echo; echo '```'; connection_trace "$mark" "${times[-1]}"; echo '```'; echo; } >>"$work/traces.md"
      printf '%s\t%s' "$pair" "$mode" >>"$own_results"
      for k in 1 2 3; do printf '\t%s' "$(printf '%s\n' "${own[@]}" | cut -f$k | median)" >>"$own_results"; done
      echo >>"$own_results"
    else
      printf '%s\t%s\t-\tfailed\n' "$pair" "$mode" >>"$results"
    fi
  done
done

# --- report ---------------------------------------------------------------------------------------------
mode_name() {
  case $1 in
    clear) echo "cleartext" ;;
    early) echo "cleartext, early pipelining (+TFO)" ;;
    tls) echo "STARTTLS" ;;
    tlsearly) echo "STARTTLS, early pipelining, resumption (+TFO)" ;;
    smtps) echo "implicit TLS, early pipelining, resumption (+TFO)" ;;
  esac
}
pair_name() { echo "$1" | sed 's/petrel/Petrel/g; s/exim/Exim/g; s/postfix/Postfix/g; s/-/ → /'; }

# A markdown table, a row per mode and a column per pair: each cell printed by the awk PROGRAM (given p, m and
# rtt) from FILE's lines (tab-separated, pair and mode first).
grid() { # FILE PROGRAM
  printf '| mode |'; for pair in $PAIRS; do printf ' %s |' "$(pair_name "$pair")"; done; echo
  printf '|---|'; for _ in $PAIRS; do printf -- '---|'; done; echo
  for mode in $MODES; do
    printf '| %s |' "$(mode_name "$mode")"
    for pair in $PAIRS; do awk -F'\t' -v p="$pair" -v m="$mode" -v rtt="$RTT_MS" "$2" "$1"; done
    echo
  done
}

table() {
  echo "RTT ${RTT_MS} ms (netdelay, ${DELAY} ms each way), median of $N deliveries after $WARMUP warm-up ones, Petrel JVMs warmed with WARM=$WARM, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  grid "$results" '$1 == p && $2 == m {
    if ($3 == "-") printf " failed |"; else if ($3 == "n/a") printf " n/a |"; else printf " %.3f s, **%.1f RTT** |", $3, $3 * 1000 / rtt }'
  echo
  echo "Own time per delivery from the trace (medians of the cell's deliveries, ms; see rtt-traces.md): the server's"
  echo "(each segment it sends, from what it answers arriving), the client's between its SYN and the reply that"
  echo "settles the message, and the client's before its SYN and after that reply (DT minus the reply's arrival)."
  echo "Each answer includes about 0.2 ms of netdelay's; a slightly negative last figure is DT's rounding to the ms."
  echo "Exim's client logs after QUIT's 221, so its last figure holds that round trip. WARM=$WARM messages per mode"
  echo "warmed each Petrel JVM first."
  echo
  grid "$own_results" '$1 == p && $2 == m { printf " server %s, client %s + %s |", $3, $4, $5; f = 1 } END { if (!f) printf " - |" }'
  echo
  echo "Log flags of the last delivery in each cell (the client's => line; Postfix's delays= and TLS line):"
  echo
  awk -F'\t' '{ printf "- %s %s: %s\n", $1, $2, $4 }' "$results"
}

svg() {
  local npairs nmodes
  npairs=$(echo $PAIRS | wc -w) nmodes=$(echo $MODES | wc -w)
  awk -F'\t' -v rtt="$RTT_MS" -v pairs="$PAIRS" -v modes="$MODES" -v np="$npairs" -v nm="$nmodes" '
    { v[$1 "," $2] = ($3 == "-") ? -1 : ($3 == "n/a") ? -2 : $3 * 1000 / rtt; if (v[$1 "," $2] > max) max = v[$1 "," $2] }
    END {
      split(pairs, P, " "); split(modes, M, " ")
      name["clear"] = "cleartext"; name["early"] = "cleartext + early (+TFO)"; name["tls"] = "STARTTLS"
      name["tlsearly"] = "STARTTLS + early + resumption (+TFO)"; name["smtps"] = "implicit TLS + early + resumption (+TFO)"
      split("#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b", C, " ")
      top = int(max) + 1; bw = 16; gap = 24; left = 60; h = 260; y0 = 40 + h
      width = left + nm * (np * bw + gap) + 20
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, y0 + 70 + 16 * np
      printf "<text x=\"%d\" y=\"20\" font-size=\"13\">Round trips per delivery (RTT %d ms), median</text>\n", left, rtt
      for (t = 0; t <= top; t++) {
        y = y0 - t * h / top
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, y, width - 10, y
        printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", left - 6, y + 4, t
      }
      for (j = 1; j <= nm; j++) {
        x0 = left + (j - 1) * (np * bw + gap) + gap / 2
        for (i = 1; i <= np; i++) {
          r = v[P[i] "," M[j]]
          x = x0 + (i - 1) * bw
          if (r < 0) {
            printf "<text x=\"%.1f\" y=\"%d\" font-size=\"8\" transform=\"rotate(-90 %.1f %d)\">%s</text>\n", x + 10, y0 - 4, x + 10, y0 - 4, (r == -2 ? "n/a" : "failed")
            continue
          }
          bh = r * h / top
          printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %.2f RTT</title></rect>\n", x, y0 - bh, bw - 2, bh, C[i], P[i], M[j], r
          printf "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"middle\">%.1f</text>\n", x + bw / 2 - 1, y0 - bh - 3, r
        }
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\">%s</text>\n", x0 + np * bw / 2, y0 + 14 + (j % 2) * 12, name[M[j]]
      }
      for (i = 1; i <= np; i++) {
        y = y0 + 50 + (i - 1) * 16
        label = P[i]; sub(/-/, " \342\206\222 ", label)
        printf "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", left, y - 9, C[i], left + 16, y, label
      }
      print "</svg>"
    }' "$results"
}

table
out=${OUT:-$here/results}
mkdir -p "$out"
table >"$out/rtt.md"
svg >"$out/rtt.svg"
cp "$work/traces.md" "$out/rtt-traces.md"
echo
echo "wrote $out/rtt.md, $out/rtt.svg and $out/rtt-traces.md (each cell's last delivery, packet by packet)"
