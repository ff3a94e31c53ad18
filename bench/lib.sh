# Shell functions shared by the benchmarks and the standalone-server scripts; sourced, never run.

# What a benchmark needs first ($root: the checkout): the test peers installed and located, and JDK 25.
bench_prepare() {
  "$root/test-peers/install.sh"
  . "$root/test-peers/env.sh"
  . "$root/bin/jdk.sh"
  petrel_pick_jdk
}

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Whether something listens on 127.0.0.1:$1 (or IPv4 address $2) in this process's network namespace: an IPv4
# listener on it or on 0.0.0.0, or an IPv4-mapped IPv6 one (Netty's epoll sockets are dual-stack).
listening() { # PORT [IPV4]
  local hex ip; hex=$(printf '%04X' "$1")
  ip=$(echo "${2:-127.0.0.1}" | awk -F. '{ printf "%02X%02X%02X%02X", $4, $3, $2, $1 }')
  cat /proc/net/tcp /proc/net/tcp6 | awk -v p=":$hex" -v a="$ip" '$4 == "0A" && ($2 == a p || $2 == "00000000" p || $2 == "0000000000000000FFFF0000" a p) { f=1 } END { exit !f }'
}

# Waits up to 30 s for a listener on 127.0.0.1:$1.
wait_listening() { for _ in $(seq 1 300); do listening "$1" && return 0; sleep 0.1; done; echo "port $1 never listened" >&2; return 1; }

# The median of the numbers on standard input, one a line (nothing for no input).
median() { sort -g | awk '{a[NR]=$1} END { if (NR) print a[int((NR+1)/2)] }'; }

# Writes $work/petrel.conf: Petrel on 127.0.0.1:$petrel_port, its files under $work/petrel, local delivery
# into maildirs $work/petrel/mail/LOCAL_PART for bench.test; each further argument is one more main option line.
petrel_bench_config() { # [MAIN-LINE...]
  {
    cat <<CONF
primary_hostname = petrel.bench
local_interfaces = 127.0.0.1.$petrel_port
spool_directory = $work/petrel/spool
log_file_path = $work/petrel/log/%slog
domainlist local_domains = @ : localhost : bench.test
CONF
    printf '%s\n' "$@"
    cat <<CONF
begin routers
localuser:
  driver = accept
  domains = +local_domains
  transport = local_delivery
begin transports
local_delivery:
  driver = appendfile
  directory = $work/petrel/mail/\$local_part
  maildir_format
CONF
  } >"$work/petrel.conf"
}

# Starts Petrel built in TREE (target/petrel.jar, target/lib) on CONFIG in the background, its output in
# DIR/daemon.out; sets petrel_pid. No queue runs during a benchmark. PETREL_JAVA_OPTS: more JVM options, e.g.
# PETREL_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/petrel.jfr,settings=profile for a profile.
start_petrel() { # TREE CONFIG DIR
  # shellcheck disable=SC2086 # PETREL_JAVA_OPTS is a list of options
  "$JAVA_HOME/bin/java" ${PETREL_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -cp "$1/target/petrel.jar:$1/target/lib/*" \
    dev.petrel.cli.Main daemon -C "$2" --queue-interval 86400 >"$3/daemon.out" 2>&1 &
  petrel_pid=$!
}

# CPU per server (root with cgroup v1's cpuacct; elsewhere nothing is measured): cpu_track NAME PID... moves
# the processes and all their descendants into a group of its own, so that what they fork later is counted
# too; cpu_ms NAME prints the CPU milliseconds the group has used.
cpu_root=/sys/fs/cgroup/cpuacct
cpu_track() { # NAME PID...
  [ "$(id -u)" = 0 ] && [ -w "$cpu_root" ] || return 0
  local g="$cpu_root/petrel-bench-$1" pid todo pids=""
  shift
  mkdir -p "$g"
  todo="$*"
  while [ -n "$todo" ]; do
    pids="$pids $todo"
    todo=$(for pid in $todo; do pgrep -P "$pid" || true; done)
  done
  for pid in $pids; do echo "$pid" >"$g/cgroup.procs" 2>/dev/null || true; done
}
cpu_ms() { # NAME
  local f="$cpu_root/petrel-bench-$1/cpuacct.usage"
  if [ -r "$f" ]; then echo $(( $(cat "$f") / 1000000 )); else echo 0; fi
}
cpu_untrack() { # NAME: its processes back to the root group, then the group removed
  local g="$cpu_root/petrel-bench-$1" pid
  [ -d "$g" ] || return 0
  for pid in $(cat "$g/cgroup.procs"); do echo "$pid" >"$cpu_root/cgroup.procs" 2>/dev/null || true; done
  rmdir "$g" 2>/dev/null || true
}

# A benchmark's EXIT trap: stops Petrel ($petrel_pid) and the standalone Postfix and Exim under $work (on
# $postfix_port, $exim_port), then removes $work, only then: stopping them needs their pid files. BENCH_KEEP=1
# keeps $work (logs, spools) for a look afterwards.
stop_servers() {
  [ -n "${petrel_pid:-}" ] && kill "$petrel_pid" 2>/dev/null || true
  "$here/postfix-standalone.sh" stop "$work/postfix" "$postfix_port" >/dev/null 2>&1 || true
  "$here/exim-standalone.sh" stop "$work/exim" "$exim_port" >/dev/null 2>&1 || true
  [ -n "${petrel_pid:-}" ] && wait "$petrel_pid" 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
