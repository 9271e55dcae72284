#!/usr/bin/env bash
# Hookpoint soak test: runs `hookpoint serve` on loopback against
# PostgreSQL for a while under steady signed GitHub push deliveries, kills
# it twice with SIGKILL (restarting it at once on the same schema), cuts
# the database off once through a TCP proxy, and checks at the end that
# no acknowledged delivery was lost, none was handled twice, RSS stayed
# flat, goroutines went back to idle and the tables stayed bounded by
# retention. Prints what it measured; exits non-zero if a check fails.
# bench/README.md ("Soak test") says what each check means.
#
#   bench/soak.sh                 10 minutes at 100/s (~15 min with the drain)
#   bench/soak.sh --short         the 60-second version CI runs (~2.5 min)
#
# Knobs (all optional; --flag value or --flag=value):
#   --duration D        how long deliveries are sent (default 10m)
#   --rate R            deliveries per second (default 100)
#   --outage-mode M     hang (default): the proxy stops moving bytes on open
#                       connections and black-holes new ones, as a network
#                       partition does; close: it closes every connection and
#                       closes new ones at once; none: no outage
#   --outage D          length of the outage (default 20s)
#   --outage-at D       its start, from the start of the load (default: centred)
#   --kill-at D,D       times of the SIGKILL restarts (default: at 25% and 75%)
#   --retention D       the server's retention.deliveries (default 2m)
#   --prune-every D     the server's retention.prune_interval (default 5s)
#   --database URL      PostgreSQL (default
#                       postgres://postgres@127.0.0.1:5432/test?sslmode=disable);
#                       a fresh schema is made in it and dropped at the end
#   --out DIR           report, request log, samples and server logs (default
#                       /tmp/hookpoint-soak.<time>; kept)
#   --vacuum-every D    VACUUM the retained tables this often (default: leave
#                       it to autovacuum; if the server has autovacuum off, the
#                       soak vacuums every autovacuum_naptime, as it would)
#   --short             the 60-second preset: 50/s, kills at 8s and 41s, the
#                       outage at 13s, retention 10s pruned every 2s, VACUUM
#                       every 5s, 6s windows
# Finer knobs (client timeout, sampling, windows, allowed growth, drain and
# idle timeouts): run `go run ./bench/soak -help`.
#
# The server runs with the soak's config (short retention, the GitHub plugin
# notifying an inbox chat); every process the soak starts is stopped when it
# ends, and its schema dropped. Loopback only; Linux (it reads /proc).
set -euo pipefail

case "${1:-}" in
-h | --help | -help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$(mktemp -d /tmp/hookpoint-soak-bin.XXXXXX)
trap 'rm -rf "$BIN"' EXIT
args=("$@")
if [[ " $* " != *" --out "* && " $* " != *" --out="* ]]; then
	args+=(--out "/tmp/hookpoint-soak.$(date +%Y%m%d-%H%M%S)")
fi
cd "$ROOT"
go build -o "$BIN/hookpoint" ./cmd/hookpoint
go build -o "$BIN/soak" ./bench/soak
# The soak runs as a child, so that the trap removes the binaries when it
# ends; a TERM or INT to this script is passed on, and the script waits
# for the soak to stop its server and drop its schema.
"$BIN/soak" --hookpoint "$BIN/hookpoint" --payload plugins/github/testdata/push.json "${args[@]}" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
status=0
wait "$child" || status=$?
while kill -0 "$child" 2>/dev/null; do
	status=0
	wait "$child" || status=$?
done
exit "$status"
