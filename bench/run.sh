#!/usr/bin/env bash
# Hookpoint benchmark suite: prints ONE table of numbers and ratios taken in
# the same run (each ratio is computed within a round, the median reported).
#
#   bench/run.sh                  full run: 3 rounds × 10 s per row (~8 min)
#   BENCH_QUICK=1 bench/run.sh    quick: 1 round × 3 s, burst 2,000, light load 5 s (~2 min)
#
# Environment (all optional):
#   BENCH_QUICK=1        quick mode (sets the defaults below lower)
#   BENCH_ROUNDS=N       rounds of rows 1-5 (default 3; quick 1)
#   BENCH_DURATION=S     seconds of load per row and round (default 10; quick 3)
#   BENCH_BURST=N        deliveries in the burst rows 6a/6b (default 20000; quick 2000)
#   BENCH_LIGHT_RATE=R   requests/s for the latency rows 7a/7b (default 50)
#   BENCH_LIGHT_SECS=S   seconds of light load (default 10; quick 5)
#   BENCH_DRAIN_TIMEOUT=S  give up waiting for a queue to drain after S s (default 900;
#                        quick 300); a row that times out is reported as not drained
#   BENCH_PG=URL         PostgreSQL database (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable:
#                        loopback, so no TLS; the driver's default, sslmode=prefer, encrypts)
#   BENCH_SKIP_PG=1      skip the PostgreSQL rows (3, 5, 6b, 7b)
#   BENCH_DIAG=0         skip diagnostic row 2b (request path without queue runners)
#   BENCH_PROFILE=1      also take CPU profiles (bench/profserve) of SQLite ingest and
#                        end to end and print the top functions
#   BENCH_ROWS="1 5"     run only these rows (default: all of 1 2 2b 2c 3 4 5 6 7 9; the
#                        ratios need row 1, the minimal handler; 2c needs 1c, which
#                        row 1 runs)
#   BENCH_OUT=DIR        where results.tsv, table.txt, logs and profiles go
#                        (default /tmp/hookpoint-bench-out.<time>; kept)
#
# Layout: wrk (1 thread, 32 connections) and the helper (hpbench) run on core 0
# (taskset -c 0); every server process runs on core 1 (taskset -c 1, GOMAXPROCS=1).
# PostgreSQL is the machine's server and is not pinned (it uses both cores).
# Every server run gets a fresh data dir or a fresh PostgreSQL schema (created and
# dropped with psql, selected with ?search_path=). Every process started is killed
# on exit. Loopback only.
set -euo pipefail

QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then
	ROUNDS=${BENCH_ROUNDS:-1}; DUR=${BENCH_DURATION:-3}; LIGHT_SECS=${BENCH_LIGHT_SECS:-5}
else
	ROUNDS=${BENCH_ROUNDS:-3}; DUR=${BENCH_DURATION:-10}; LIGHT_SECS=${BENCH_LIGHT_SECS:-10}
fi
BURST=${BENCH_BURST:-$([[ $QUICK == 1 ]] && echo 2000 || echo 20000)}
DRAIN_TIMEOUT=${BENCH_DRAIN_TIMEOUT:-$([[ $QUICK == 1 ]] && echo 300 || echo 900)}
LIGHT_RATE=${BENCH_LIGHT_RATE:-50}
SKIP_PG=${BENCH_SKIP_PG:-0}
DIAG=${BENCH_DIAG:-1}
PROFILE=${BENCH_PROFILE:-0}
ROWS=" ${BENCH_ROWS:-1 2 2b 2c 3 4 5 6 7 9} "
CONNS=32
WARMUP=1
PORT_MIN=18080 PORT_A=18081 PORT_B=18082

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
WORK=$(mktemp -d /tmp/hookpoint-bench.XXXXXX)
OUT=${BENCH_OUT:-/tmp/hookpoint-bench-out.$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs" "$WORK/bin"
RESULTS=$OUT/results.tsv
: >"$RESULTS"
NOTES=$OUT/notes.txt
: >"$NOTES"

PIDS=()
SCHEMAS=()
cleanup() {
	local pid s
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for s in "${SCHEMAS[@]}"; do
		psql_q "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

want() { [[ $ROWS == *" $1 "* ]]; } # want ROW: is the row selected?
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
note() { log "NOTE: $*"; echo "$*" >>"$NOTES"; }
rec() { echo "$1 $2 $3" >>"$RESULTS"; }                     # round key value
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }      # key line -> value
now_ms() { date +%s%3N; }

for p in $PORT_MIN $PORT_A $PORT_B; do
	if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
		echo "port $p is in use; stop whatever listens there" >&2
		exit 1
	fi
done

# ---- build ----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
	log "installing wrk (Debian package)"
	apt-get install -y wrk >/dev/null
fi
log "building into $WORK/bin"
(cd "$ROOT" && go build -o "$WORK/bin/hookpoint" ./cmd/hookpoint &&
	go build -o "$WORK/bin/minimal" ./bench/minimal &&
	go build -o "$WORK/bin/hpbench" ./bench/hpbench &&
	go build -o "$WORK/bin/profserve" ./bench/profserve)
HPB=$WORK/bin/hpbench
BODY=$ROOT/plugins/github/testdata/push.json
SIG=$("$HPB" sign -secret "$SECRET" -file "$BODY")

if [[ $SKIP_PG != 1 ]] && ! psql_q 'SELECT 1' >/dev/null; then
	note "PostgreSQL at $PG_BASE unreachable: PostgreSQL rows skipped"
	SKIP_PG=1
fi

# ---- processes --------------------------------------------------------------
# start NAME CMD...: runs CMD on core 1 with GOMAXPROCS=1; sets $PID.
start() {
	local name=$1
	shift
	taskset -c 1 env GOMAXPROCS=1 GITHUB_WEBHOOK_SECRET="$SECRET" "$@" >"$OUT/logs/$name.log" 2>&1 &
	PID=$!
	PIDS+=("$PID")
}

# stop PID: SIGTERM, then SIGKILL after 45 s.
stop() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 450; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local keep=() p
	for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# config NAME PORT: writes a config with a fresh data dir; prints its path.
config() {
	local dir=$WORK/$1
	rm -rf "$dir"
	mkdir -p "$dir"
	hookpoint_yaml "$2" "$dir/data" >"$dir/hookpoint.yaml"
	echo "$dir/hookpoint.yaml"
}

SCHEMA_N=0
# new_schema: creates a fresh schema; sets $SCHEMA and $DBURL.
new_schema() {
	SCHEMA_N=$((SCHEMA_N + 1))
	SCHEMA=hpbench_$$_$SCHEMA_N
	psql_q "CREATE SCHEMA $SCHEMA" >/dev/null
	SCHEMAS+=("$SCHEMA")
	DBURL=$(schema_url "$SCHEMA")
}

drop_schema() {
	psql_q "DROP SCHEMA IF EXISTS $1 CASCADE" >/dev/null
	local keep=() s
	for s in "${SCHEMAS[@]}"; do [[ $s == "$1" ]] || keep+=("$s"); done
	SCHEMAS=("${keep[@]}")
}

wait_up() { taskset -c 0 "$HPB" wait -url "http://127.0.0.1:$1/$2" -timeout 60s; }

# wrk_run PORT SECONDS CONNS RUNID: prints the WRK summary line.
wrk_run() {
	HP_BODY=$BODY HP_SIG=$SIG HP_RUN=$4 HP_PATH=$HOOK_PATH \
		taskset -c 0 wrk -t1 -c"$3" -d"$2"s -s "$ROOT/bench/delivery.lua" "http://127.0.0.1:$1$HOOK_PATH" | grep '^WRK '
}

# check_wrk LABEL LINE: notes transport or status errors.
check_wrk() {
	local e s
	e=$(kv errors "$2") s=$(kv status_errors "$2")
	if [[ $e != 0 || $s != 0 ]]; then note "$1: wrk saw $e socket errors and $s responses >= 400"; fi
}

# drain PORT: prints the unix ms at which nothing was pending or running;
# fails (status 3) at the timeout, still printing the time.
drain() { taskset -c 0 "$HPB" drain -url "http://127.0.0.1:$1" -timeout "${DRAIN_TIMEOUT}s"; }
counts() { taskset -c 0 "$HPB" counts -url "http://127.0.0.1:$1" -chat "$CHAT"; }

# load_row ROUND KEY PORT [CONNS]: warm-up, measured wrk run (32
# connections unless CONNS), records rps/p50/p99.
load_row() {
	local line conns=${4:-$CONNS}
	wrk_run "$3" "$WARMUP" "$conns" "warm-$2-$1-$RANDOM" >/dev/null
	line=$(wrk_run "$3" "$DUR" "$conns" "$2-$1-$RANDOM")
	log "  $2: $line"
	check_wrk "round $1 $2" "$line"
	rec "$1" "$2.rps" "$(kv rps "$line")"
	rec "$1" "$2.p50" "$(kv p50_ms "$line")"
	rec "$1" "$2.p99" "$(kv p99_ms "$line")"
}

# check_counts LABEL COUNTS: notes failed, dead or unprocessed deliveries.
check_counts() {
	local f d p r
	f=$(kv failed "$2") d=$(kv dead "$2") p=$(kv pending "$2") r=$(kv running "$2")
	if [[ $f != 0 || $d != 0 || $p != 0 || $r != 0 ]]; then note "$1: $2"; fi
}

# ---- rows 1-5, per round --------------------------------------------------------
row_minimal() {
	start minimal "$WORK/bin/minimal" -listen 127.0.0.1:$PORT_MIN
	local pid=$PID
	wait_up $PORT_MIN ""
	load_row "$1" minimal $PORT_MIN
	if want 2c; then load_row "$1" minimal_c1 $PORT_MIN 1; fi
	stop "$pid"
}

# row_ingest_sqlite_c1: row 2's server answering one connection, request
# after request: the latency a lone sender sees.
row_ingest_sqlite_c1() {
	local cfg pid
	cfg=$(config "ingest-c1-$1" $PORT_A)
	start "ingest-c1-$1" "$WORK/bin/hookpoint" serve --config "$cfg"
	pid=$PID
	wait_up $PORT_A metrics
	load_row "$1" ingest_sqlite_c1 $PORT_A 1
	stop "$pid"
	rm -rf "$WORK/ingest-c1-$1"
}

row_ingest_sqlite() {
	local cfg pid
	cfg=$(config "ingest-sqlite-$1" $PORT_A)
	start "ingest-sqlite-$1" "$WORK/bin/hookpoint" serve --config "$cfg"
	pid=$PID
	wait_up $PORT_A metrics
	load_row "$1" ingest_sqlite $PORT_A
	rec "$1" ingest_sqlite.hwm_kb "$(hwm_kb "$pid")"
	stop "$pid"
	rm -rf "$WORK/ingest-sqlite-$1"
}

row_ingest_sqlite_noworkers() {
	local cfg pid
	cfg=$(config "ingest-nw-$1" $PORT_A)
	start "ingest-nw-$1" "$WORK/bin/profserve" -config "$cfg" -no-workers
	pid=$PID
	wait_up $PORT_A metrics
	load_row "$1" ingest_sqlite_nw $PORT_A
	stop "$pid"
	rm -rf "$WORK/ingest-nw-$1"
}

row_ingest_pg() {
	local cfg pid
	cfg=$(config "ingest-pg-$1" $PORT_A)
	new_schema
	start "ingest-pg-$1" "$WORK/bin/hookpoint" serve --config "$cfg" --database "$DBURL"
	pid=$PID
	wait_up $PORT_A metrics
	load_row "$1" ingest_pg $PORT_A
	rec "$1" ingest_pg.hwm_kb "$(hwm_kb "$pid")"
	stop "$pid"
	drop_schema "$SCHEMA"
	rm -rf "$WORK/ingest-pg-$1"
}

# e2e ROUND KEY PORT...: warm-up and drain, then $DUR s of load (the 32
# connections split over the ports, one wrk each), then wait until every
# acknowledged delivery is processed. deliveries/s = processed / (start
# of load .. drained).
e2e() {
	local round=$1 key=$2
	shift 2
	local ports=("$@") n=$# p i c0 c1 t0 t2 lines=() wpids=() rps=0 p50=0 p99=0 num secs
	local per=$((CONNS / n))
	# warm-up: a few deliveries through each replica (a backlog would
	# take long to drain), then an empty queue
	for p in "${ports[@]}"; do
		taskset -c 0 "$HPB" send -url "http://127.0.0.1:$p$HOOK_PATH" -secret "$SECRET" -file "$BODY" -n 256 -c "$per" -run "warm-$key-$round-$p-$RANDOM" >/dev/null
	done
	drain "${ports[0]}" >/dev/null || note "round $round $key: warm-up not drained"
	c0=$(counts "${ports[0]}")
	t0=$(now_ms)
	wpids=()
	for p in "${ports[@]}"; do
		wrk_run "$p" "$DUR" "$per" "$key-$round-$p-$RANDOM" >"$WORK/wrk.$p" &
		wpids+=($!)
	done
	for p in "${wpids[@]}"; do wait "$p"; done
	if ! t2=$(drain "${ports[0]}"); then
		note "round $round $key: not drained within ${DRAIN_TIMEOUT}s; deliveries/s counts only what was done by then"
		rec "$round" "$key.timeout" 1
	fi
	c1=$(counts "${ports[0]}")
	for p in "${ports[@]}"; do
		lines+=("$(cat "$WORK/wrk.$p")")
	done
	for ((i = 0; i < n; i++)); do
		log "  $key: ${lines[i]}"
		check_wrk "round $round $key" "${lines[i]}"
		rps=$(awk -v a="$rps" -v b="$(kv rps "${lines[i]}")" 'BEGIN {print a + b}')
		p50=$(awk -v a="$p50" -v b="$(kv p50_ms "${lines[i]}")" 'BEGIN {print (b > a) ? b : a}')
		p99=$(awk -v a="$p99" -v b="$(kv p99_ms "${lines[i]}")" 'BEGIN {print (b > a) ? b : a}')
	done
	log "  $key: before $c0"
	log "  $key: after  $c1"
	check_counts "round $round $key" "$c1"
	num=$(($(kv done "$c1") - $(kv done "$c0")))
	secs=$(awk -v a="$t0" -v b="$t2" 'BEGIN {printf "%.3f", (b - a) / 1000}')
	rec "$round" "$key.rps" "$rps"
	rec "$round" "$key.p50" "$p50"
	rec "$round" "$key.p99" "$p99"
	rec "$round" "$key.n" "$num"
	rec "$round" "$key.secs" "$secs"
	rec "$round" "$key.dps" "$(awk -v n="$num" -v s="$secs" 'BEGIN {printf "%.1f", n / s}')"
	log "  $key: $num deliveries processed in $secs s"
}

row_e2e_sqlite() {
	local cfg pid
	cfg=$(config "e2e-sqlite-$1" $PORT_A)
	start "e2e-sqlite-$1" "$WORK/bin/hookpoint" serve --config "$cfg"
	pid=$PID
	wait_up $PORT_A metrics
	e2e "$1" e2e_sqlite $PORT_A
	rec "$1" e2e_sqlite.hwm_kb "$(hwm_kb "$pid")"
	stop "$pid"
	rm -rf "$WORK/e2e-sqlite-$1"
}

row_e2e_pg2() {
	local cfga cfgb pa pb
	cfga=$(config "e2e-pg-a-$1" $PORT_A)
	cfgb=$(config "e2e-pg-b-$1" $PORT_B)
	new_schema
	start "e2e-pg-a-$1" "$WORK/bin/hookpoint" serve --config "$cfga" --database "$DBURL"
	pa=$PID
	wait_up $PORT_A metrics
	start "e2e-pg-b-$1" "$WORK/bin/hookpoint" serve --config "$cfgb" --database "$DBURL"
	pb=$PID
	wait_up $PORT_B metrics
	e2e "$1" e2e_pg2 $PORT_A $PORT_B
	local ha hb
	ha=$(hwm_kb "$pa") hb=$(hwm_kb "$pb")
	rec "$1" e2e_pg2.hwm_kb "$((ha > hb ? ha : hb))"
	stop "$pa"
	stop "$pb"
	drop_schema "$SCHEMA"
	rm -rf "$WORK/e2e-pg-a-$1" "$WORK/e2e-pg-b-$1"
}

# ---- rows 6 and 7, once -------------------------------------------------------
# burst KEY [DBURL]: sends $BURST deliveries as fast as 32 connections go,
# waits for the queue to drain and checks that each became one inbox message.
burst() {
	local key=$1 dburl=${2:-} cfg pid line c t0 t2
	cfg=$(config "$key" $PORT_A)
	if [[ -n $dburl ]]; then
		start "$key" "$WORK/bin/hookpoint" serve --config "$cfg" --database "$dburl"
	else
		start "$key" "$WORK/bin/hookpoint" serve --config "$cfg"
	fi
	pid=$PID
	wait_up $PORT_A metrics
	t0=$(now_ms)
	line=$(taskset -c 0 "$HPB" send -url "http://127.0.0.1:$PORT_A$HOOK_PATH" -secret "$SECRET" -file "$BODY" -n "$BURST" -c $CONNS -run "$key-$RANDOM")
	if ! t2=$(drain $PORT_A); then note "$key: not drained within ${DRAIN_TIMEOUT}s"; fi
	c=$(counts $PORT_A)
	log "  $key: $line"
	log "  $key: $c"
	local secs
	secs=$(awk -v a="$t0" -v b="$t2" 'BEGIN {printf "%.3f", (b - a) / 1000}')
	rec 0 "$key.sent" "$(kv sent "$line")"
	rec 0 "$key.send_s" "$(kv seconds "$line")"
	rec 0 "$key.accepted" "$(kv accepted "$line")"
	rec 0 "$key.p50" "$(kv p50_ms "$line")"
	rec 0 "$key.p99" "$(kv p99_ms "$line")"
	rec 0 "$key.expect" "$BURST"
	for f in total pending running done failed dead inbox; do rec 0 "$key.$f" "$(kv $f "$c")"; done
	rec 0 "$key.drain_s" "$secs"
	rec 0 "$key.dps" "$(awk -v n="$BURST" -v s="$secs" 'BEGIN {printf "%.1f", n / s}')"
	stop "$pid"
	rm -rf "$WORK/$key"
}

# light KEY [DBURL]: $LIGHT_RATE req/s for $LIGHT_SECS s, then the
# distribution of started_at - received_at from the admin API.
light() {
	local key=$1 dburl=${2:-} cfg pid line lat
	cfg=$(config "$key" $PORT_A)
	if [[ -n $dburl ]]; then
		start "$key" "$WORK/bin/hookpoint" serve --config "$cfg" --database "$dburl"
	else
		start "$key" "$WORK/bin/hookpoint" serve --config "$cfg"
	fi
	pid=$PID
	wait_up $PORT_A metrics
	line=$(taskset -c 0 "$HPB" trickle -url "http://127.0.0.1:$PORT_A$HOOK_PATH" -secret "$SECRET" -file "$BODY" -rate "$LIGHT_RATE" -duration "${LIGHT_SECS}s" -run "$key-$RANDOM")
	drain $PORT_A >/dev/null || note "$key: not drained within ${DRAIN_TIMEOUT}s"
	lat=$(taskset -c 0 "$HPB" latency -url "http://127.0.0.1:$PORT_A")
	log "  $key: $line"
	log "  $key: $lat"
	[[ $(kv other "$line") == 0 && $(kv errors "$line") == 0 ]] || note "$key: $line"
	for f in p50 p90 p99 max; do rec 0 "$key.$f" "$(kv "${f}_ms" "$lat")"; done
	rec 0 "$key.count" "$(kv count "$lat")"
	stop "$pid"
	rm -rf "$WORK/$key"
}

# replay_row: row 2's load, once alone and once while an operator replays
# 10,000 stored deliveries through the admin API; records both p99s.
replay_row() {
	local cfg pid line rep
	cfg=$(config replay $PORT_A)
	start replay "$WORK/bin/hookpoint" serve --config "$cfg"
	pid=$PID
	wait_up $PORT_A metrics
	taskset -c 0 "$HPB" send -url "http://127.0.0.1:$PORT_A$HOOK_PATH" -secret "$SECRET" -file "$BODY" -n 10000 -c $CONNS -run "replay-$RANDOM" >/dev/null
	drain $PORT_A >/dev/null || note "replay: the 10,000 deliveries to replay did not drain"
	wrk_run $PORT_A "$WARMUP" "$CONNS" "warm-replay-$RANDOM" >/dev/null
	line=$(wrk_run $PORT_A "$DUR" "$CONNS" "replay-base-$RANDOM")
	log "  replay, alone: $line"
	rec 0 replay.base_p99 "$(kv p99_ms "$line")"
	rec 0 replay.base_rps "$(kv rps "$line")"
	drain $PORT_A >/dev/null || true
	(sleep 1 && taskset -c 0 "$HPB" replay -url "http://127.0.0.1:$PORT_A" -query "plugin=hookpoint.github&limit=10000" >"$WORK/replay.out") &
	local rp=$!
	line=$(wrk_run $PORT_A "$DUR" "$CONNS" "replay-during-$RANDOM")
	wait "$rp" || note "replay: the replay request failed"
	rep=$(cat "$WORK/replay.out" 2>/dev/null || true)
	log "  replay, while replaying: $line"
	log "  replay: $rep"
	rec 0 replay.p99 "$(kv p99_ms "$line")"
	rec 0 replay.rps "$(kv rps "$line")"
	rec 0 replay.replayed "$(kv replayed "$rep")"
	rec 0 replay.secs "$(kv seconds "$rep")"
	drain $PORT_A >/dev/null || note "replay: not drained within ${DRAIN_TIMEOUT}s"
	stop "$pid"
	rm -rf "$WORK/replay"
}

# ---- profiles (BENCH_PROFILE=1) ---------------------------------------------------
profile() {
	local mode=$1 cfg pid
	cfg=$(config "prof-$mode" $PORT_A)
	local flags=(-config "$cfg" -cpuprofile "$OUT/cpu-$mode.pprof")
	if [[ $mode == ingest-noworkers ]]; then flags+=(-no-workers); fi
	start "prof-$mode" "$WORK/bin/profserve" "${flags[@]}"
	pid=$PID
	wait_up $PORT_A metrics
	local line
	line=$(wrk_run $PORT_A "$DUR" "$CONNS" "prof-$mode-$RANDOM")
	log "  profile $mode: $line"
	if [[ $mode == e2e ]]; then drain $PORT_A >/dev/null || true; fi
	stop "$pid"
	rm -rf "$WORK/prof-$mode"
	(cd "$ROOT" && go tool pprof -top -nodecount=30 "$WORK/bin/profserve" "$OUT/cpu-$mode.pprof" >"$OUT/cpu-$mode.top.txt" 2>/dev/null) || true
	(cd "$ROOT" && go tool pprof -top -cum -nodecount=60 "$WORK/bin/profserve" "$OUT/cpu-$mode.pprof" >"$OUT/cpu-$mode.cum.txt" 2>/dev/null) || true
}

# ---- run ------------------------------------------------------------------------
log "results in $OUT (rounds=$ROUNDS, ${DUR}s per row, burst=$BURST, light=${LIGHT_RATE}/s × ${LIGHT_SECS}s)"
for ((r = 1; r <= ROUNDS; r++)); do
	log "round $r/$ROUNDS"
	if want 1; then row_minimal "$r"; fi
	if want 2; then row_ingest_sqlite "$r"; fi
	if want 2b && [[ $DIAG == 1 ]]; then row_ingest_sqlite_noworkers "$r"; fi
	if want 2c; then row_ingest_sqlite_c1 "$r"; fi
	if want 3 && [[ $SKIP_PG != 1 ]]; then row_ingest_pg "$r"; fi
	if want 4; then row_e2e_sqlite "$r"; fi
	if want 5 && [[ $SKIP_PG != 1 ]]; then row_e2e_pg2 "$r"; fi
done
if want 6 || want 7; then log "burst and light-load rows"; fi
if want 6; then burst burst_sqlite; fi
if want 9; then replay_row; fi
if want 7; then light lat_sqlite; fi
if [[ $SKIP_PG != 1 ]]; then
	if want 6; then
		new_schema
		burst burst_pg "$DBURL"
		drop_schema "$SCHEMA"
	fi
	if want 7; then
		new_schema
		light lat_pg "$DBURL"
		drop_schema "$SCHEMA"
	fi
fi
if [[ $PROFILE == 1 ]]; then
	log "CPU profiles"
	profile ingest
	profile ingest-noworkers
	profile e2e
fi

{
	echo
	echo "Hookpoint benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(go version | awk '{print $3}'), rounds=$ROUNDS × ${DUR}s, wrk -t1 -c$CONNS on core 0, servers on core 1 (GOMAXPROCS=1), PostgreSQL unpinned"
	echo "payload: plugins/github/testdata/push.json ($(wc -c <"$BODY") bytes, unpadded), signed X-Hub-Signature-256, unique X-GitHub-Delivery per request"
	echo
	"$HPB" table -results "$RESULTS"
	if [[ -s $NOTES ]]; then
		echo
		echo "notes:"
		sed 's/^/  /' "$NOTES"
	fi
	echo
	echo "raw results, logs and profiles: $OUT"
} | tee "$OUT/table.txt"
if [[ $PROFILE == 1 ]]; then
	for f in "$OUT"/cpu-*.top.txt; do
		echo
		echo "== $(basename "$f")"
		sed -n '1,25p' "$f"
	done
fi
