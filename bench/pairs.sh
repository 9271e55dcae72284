#!/usr/bin/env bash
# Alternating A/B runs of row 5's layout (two replicas against PostgreSQL,
# end to end) for two revisions of Hookpoint: on a noisy machine, only runs
# taken in the same minutes compare.
#
#   bench/pairs.sh OLD NEW [PAIRS]    OLD and NEW are git revisions (default 3 pairs)
#
# Environment (all optional): BENCH_DURATION=S (default 10), BENCH_PG=URL (as
# in run.sh). Each run prints deliveries/s (done / from the start of the load
# until drained), the CPU time per delivery of the two replicas and of every
# postgres process (/proc/PID/stat), PostgreSQL's WAL flushes a second
# (pg_stat_wal), and each wrk's p99. Layout as in run.sh: replicas on core 1
# (GOMAXPROCS=1), wrk -c16 per replica and hpbench on core 0, PostgreSQL
# unpinned; a fresh schema per run.
set -euo pipefail

[[ $# -ge 2 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
OLD=$1 NEW=$2 PAIRS=${3:-3}
DUR=${BENCH_DURATION:-10}
PORTS=(18081 18082)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
WORK=$(mktemp -d /tmp/hookpoint-pairs.XXXXXX)
PIDS=() SCHEMA=
cleanup() {
	[[ ${#PIDS[@]} -gt 0 ]] && kill "${PIDS[@]}" 2>/dev/null && wait "${PIDS[@]}" 2>/dev/null
	[[ -n $SCHEMA ]] && psql_q "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# build REV NAME: builds hookpoint at git revision REV into $WORK/NAME.
build() {
	mkdir -p "$WORK/src-$2"
	git -C "$ROOT" archive "$1" | tar -x -C "$WORK/src-$2"
	(cd "$WORK/src-$2" && go build -o "$WORK/$2" ./cmd/hookpoint)
}
build "$OLD" old
build "$NEW" new
(cd "$ROOT" && go build -o "$WORK/hpbench" ./bench/hpbench)
HPB=$WORK/hpbench BODY=$ROOT/plugins/github/testdata/push.json
SIG=$("$HPB" sign -secret "$SECRET" -file "$BODY")

cpu_ticks() { # PID...: user+system clock ticks of the processes
	local t=0 pid
	for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
	echo "$t"
}
done_count() { "$HPB" counts -url "http://127.0.0.1:${PORTS[0]}" -chat "$CHAT" | sed 's/.*done=\([0-9]*\).*/\1/'; }

# run NAME: one run of binary $WORK/NAME; prints its line.
run() {
	local name=$1 p db wpids=() h0 h1 g0 g1 s0 s1 d0 d1 t0 t2
	SCHEMA=hppairs_$$_$RANDOM
	psql_q "CREATE SCHEMA $SCHEMA" >/dev/null
	db=$(schema_url "$SCHEMA")
	PIDS=()
	for p in "${PORTS[@]}"; do
		mkdir -p "$WORK/$p"
		hookpoint_yaml "$p" "$WORK/$p/data" >"$WORK/$p/hookpoint.yaml"
		taskset -c 1 env GOMAXPROCS=1 GITHUB_WEBHOOK_SECRET="$SECRET" "$WORK/$name" serve --config "$WORK/$p/hookpoint.yaml" --database "$db" >"$WORK/$p/log" 2>&1 &
		PIDS+=($!)
	done
	for p in "${PORTS[@]}"; do taskset -c 0 "$HPB" wait -url "http://127.0.0.1:$p/metrics" -timeout 60s; done
	for p in "${PORTS[@]}"; do
		taskset -c 0 "$HPB" send -url "http://127.0.0.1:$p$HOOK_PATH" -secret "$SECRET" -file "$BODY" -n 256 -c 16 -run "warm-$p-$RANDOM" >/dev/null
	done
	taskset -c 0 "$HPB" drain -url "http://127.0.0.1:${PORTS[0]}" -timeout 60s >/dev/null
	d0=$(done_count) h0=$(cpu_ticks "${PIDS[@]}") g0=$(cpu_ticks $(pgrep -x postgres))
	s0=$(psql_q "SELECT wal_sync FROM pg_stat_wal") t0=$(date +%s%3N)
	for p in "${PORTS[@]}"; do
		HP_BODY=$BODY HP_SIG=$SIG HP_RUN="r-$p-$RANDOM" HP_PATH=$HOOK_PATH taskset -c 0 wrk -t1 -c16 -d"${DUR}"s \
			-s "$ROOT/bench/delivery.lua" "http://127.0.0.1:$p$HOOK_PATH" >"$WORK/wrk.$p" &
		wpids+=($!)
	done
	wait "${wpids[@]}"
	t2=$(taskset -c 0 "$HPB" drain -url "http://127.0.0.1:${PORTS[0]}" -timeout 300s)
	h1=$(cpu_ticks "${PIDS[@]}") g1=$(cpu_ticks $(pgrep -x postgres)) s1=$(psql_q "SELECT wal_sync FROM pg_stat_wal")
	d1=$(done_count)
	kill "${PIDS[@]}"
	wait "${PIDS[@]}" 2>/dev/null || true
	PIDS=()
	psql_q "DROP SCHEMA $SCHEMA CASCADE" >/dev/null
	SCHEMA=
	local p99s
	p99s=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' "$WORK"/wrk.* | paste -sd/)
	awk -v name="$name" -v n=$((d1 - d0)) -v t0="$t0" -v t2="$t2" -v h=$((h1 - h0)) -v g=$((g1 - g0)) \
		-v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" -v p99="$p99s" 'BEGIN {
		secs = (t2 - t0) / 1000
		printf "%-4s %6.0f deliveries/s  hookpoint %4.0f µs  postgres %4.0f µs per delivery  %4.0f WAL flushes/s  wrk p99 %s ms\n",
			name, n / secs, h * 1e6 / hz / n, g * 1e6 / hz / n, s / secs, p99 }'
}

echo "old = $OLD ($(git -C "$ROOT" rev-parse --short "$OLD")), new = $NEW ($(git -C "$ROOT" rev-parse --short "$NEW")), $PAIRS pairs × ${DUR} s"
for ((i = 1; i <= PAIRS; i++)); do
	run old
	run new
done
