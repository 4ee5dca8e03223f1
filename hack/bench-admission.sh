#!/usr/bin/env bash
# Load-tests `kube4c admission serve` on loopback: certificates from
# `kube4c admission certs`, the server on 127.0.0.1, then two open-loop runs
# of hack/admission-load at a constant rate, one with a review the webhook
# allows (a Deployment of examples/shop) and one with a review it denies (a
# privileged Pod). For each run it prints the generator's summary (latency
# from the due time, service time from the actual send, and the generator's
# own send delay between them) and the server's RSS,
# sampled every second: after the warm-up, at the end, the most, and the
# growth between the first and the last.
#
#   hack/bench-admission.sh [--config FILE]
#
# Environment: RATE (requests per second, default 1000), DURATION (a Go
# duration, default 30s), WARMUP (whole seconds, default 2), PORT (default
# 18443), ALLOW_MANIFEST (default examples/shop/10-storefront.yaml),
# CHECK_VERDICT=0 to accept either verdict in both runs, KUBE4C (a kube4c
# binary to use instead of building one).
#
# Exit status: 0 when both runs passed (no error, at least 95 % of the
# rate), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

config=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=(--config "$2"); shift 2 ;;
    *) echo "usage: $0 [--config FILE]" >&2; exit 2 ;;
  esac
done
rate=${RATE:-1000}
duration=${DURATION:-30s}
warmup=${WARMUP:-2}
port=${PORT:-18443}
allow_manifest=${ALLOW_MANIFEST:-examples/shop/10-storefront.yaml}
check_verdict=${CHECK_VERDICT:-1}
case "$warmup" in ''|*[!0-9]*) echo "WARMUP must be whole seconds" >&2; exit 2 ;; esac

tmp=$(mktemp -d)
server_pid='' load_pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  for pid in $load_pid $server_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build"
if [ -n "${KUBE4C:-}" ]; then
  cp "$KUBE4C" "$tmp/kube4c"
else
  go build -o "$tmp/kube4c" ./cmd/kube4c
fi
go build -o "$tmp/admission-load" ./hack/admission-load

echo "== certificates and reviews"
"$tmp/kube4c" admission certs --host 127.0.0.1 --out-dir "$tmp/certs" >/dev/null
"$tmp/admission-load" --make-review "$allow_manifest" >"$tmp/allow.json"
cat >"$tmp/privileged-pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: privileged-shipper
  namespace: logging
spec:
  containers:
    - name: shipper
      image: registry.example.com/logging/shipper:3.1.4
      securityContext:
        privileged: true
YAML
"$tmp/admission-load" --make-review "$tmp/privileged-pod.yaml" >"$tmp/deny.json"

echo "== server on 127.0.0.1:$port"
"$tmp/kube4c" admission serve --listen "127.0.0.1:$port" \
  --tls-cert-file "$tmp/certs/tls.crt" --tls-private-key-file "$tmp/certs/tls.key" \
  "${config[@]}" >"$tmp/server.log" 2>&1 &
server_pid=$!
ready=''
for ((i = 0; i < 100; i++)); do
  if curl -fsS -o /dev/null --max-time 1 --cacert "$tmp/certs/ca.crt" "https://127.0.0.1:$port/readyz" 2>/dev/null; then
    ready=1; break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "the server did not become ready; its log:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

# rss_kb prints the server's VmRSS in KiB.
rss_kb() {
  local key value _
  while read -r key value _; do
    if [ "$key" = VmRSS: ]; then echo "$value"; return; fi
  done <"/proc/$server_pid/status"
}

# pass NAME REVIEW EXPECT runs the load generator once and reports the
# server's RSS while it ran.
pass() {
  local name=$1 review=$2 expect=() code=0
  if [ "$check_verdict" != 0 ]; then expect=(--expect "$3"); fi
  echo
  echo "== $name: $rate/s for $duration after ${warmup}s of warm-up (server RSS idle: $(($(rss_kb) / 1024)) MiB)"
  "$tmp/admission-load" --url "https://127.0.0.1:$port/validate" --ca-file "$tmp/certs/ca.crt" \
    --rate "$rate" --duration "$duration" --warmup "${warmup}s" --review "$review" "${expect[@]}" &
  load_pid=$!
  sleep "$warmup"
  : >"$tmp/$name.rss"
  while kill -0 "$load_pid" 2>/dev/null; do
    rss_kb >>"$tmp/$name.rss"
    sleep 1
  done
  wait "$load_pid" || code=$?
  load_pid=''
  rss_kb >>"$tmp/$name.rss"

  local first='' last='' most=0 n=0 kb
  while read -r kb; do
    [ -n "$first" ] || first=$kb
    last=$kb
    if [ "$kb" -gt "$most" ]; then most=$kb; fi
    n=$((n + 1))
  done <"$tmp/$name.rss"
  local growth=$((last - first))
  echo "server RSS (KiB, $n samples): after warm-up $first, end $last, max $most, growth $growth ($((growth * 100 / first)) %)"
  echo "server RSS (MiB): after warm-up $((first / 1024)), end $((last / 1024)), max $((most / 1024))"
  return "$code"
}

status=0
pass allowed "$tmp/allow.json" allowed || status=1
pass denied "$tmp/deny.json" denied || status=1
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server exited during the load; its log:" >&2
  cat "$tmp/server.log" >&2
  status=1
fi
echo
if [ "$status" = 0 ]; then echo "bench-admission: PASS"; else echo "bench-admission: FAIL"; fi
exit "$status"
