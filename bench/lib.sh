# Shell functions shared by the benchmarks and the standalone-server scripts; sourced, never run.

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Whether something listens on 127.0.0.1:$1: an IPv4 listener on it or on 0.0.0.0, or an IPv4-mapped IPv6
# one (Netty's epoll sockets are dual-stack).
listening() {
  local hex; hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 | awk -v p=":$hex" '$4 == "0A" && ($2 == "0100007F" p || $2 == "00000000" p || $2 == "0000000000000000FFFF00000100007F" p) { f=1 } END { exit !f }'
}

# Waits up to 30 s for a listener on 127.0.0.1:$1.
wait_listening() { for _ in $(seq 1 300); do listening "$1" && return 0; sleep 0.1; done; echo "port $1 never listened" >&2; return 1; }

# The median of the numbers on standard input, one a line (nothing for no input).
median() { sort -g | awk '{a[NR]=$1} END { if (NR) print a[int((NR+1)/2)] }'; }
