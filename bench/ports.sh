# free_port, shared by bench/lib.sh and bench/peer/run.
# shellcheck shell=bash

# A TCP port on 127.0.0.1 that nothing listens on (random, checked by trying to connect), below
# the kernel's range for outgoing connections' local ports: a port from that range could be
# taken by a connection between this check and the bind (a worker once failed to start so).
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 20100 ] 2>/dev/null || low=32768
  while true; do
    port=$((20000 + RANDOM % (low - 20000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}
