#!/usr/bin/env bash
# Interleaved comparison of GET by id between builds or settings: each round starts every variant in turn, as the
# Fargate task runs it (common.sh), warms it up, then measures pgbench's primary-key SELECT and wrk against the API
# back to back, so the machine's drift lands on every variant alike. Optionally the API gets a CPU quota, as a
# 0.5 vCPU Fargate task does (cgroup v1 cpu or v2, root only).
#
#   bench/compare.sh label=JAR[,DB_POOL_SIZE[,JVM_OPTIONS]] ...  # e.g. before=/tmp/old.jar after=container/target/helloapi.jar
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_WARMUP (40s; 120s with a CPU quota), BENCH_DURATION (10s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_USERS (100000), BENCH_CPU_QUOTA (empty: none; 0.5 for half a CPU),
# and common.sh's.
# Prints one line per variant and round: req/s, p99 ms, ratio to pgbench, JVM CPU µs per request, non-2xx.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
export BENCH_DIR
# shellcheck source=bench/common.sh
. "$BENCH_DIR/common.sh"
ROUNDS=${BENCH_ROUNDS:-3}
QUOTA=${BENCH_CPU_QUOTA:-}
# Under half a CPU the JIT is still compiling 90 s after the start: 40 s would measure the warm-up, not the build.
if [ -n "$QUOTA" ]; then WARMUP=${BENCH_WARMUP:-120s}; else WARMUP=${BENCH_WARMUP:-40s}; fi
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
USERS=${BENCH_USERS:-100000}
[ $# -gt 0 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
require wrk pgbench psql
export SECRET_KEY=bench-secret-key-0123456789
TICKS=$(getconf CLK_TCK)

cgroup=""
if [ -n "$QUOTA" ]; then
    [ "$(id -u)" = 0 ] || { echo "BENCH_CPU_QUOTA needs root" >&2; exit 2; }
    quota_us=$(awk -v q="$QUOTA" 'BEGIN { printf "%d", q * 100000 }')
    if [ -d /sys/fs/cgroup/cpu ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
        cgroup=/sys/fs/cgroup/cpu/helloapi-bench
        mkdir -p "$cgroup"
        echo 100000 >"$cgroup/cpu.cfs_period_us"
        echo "$quota_us" >"$cgroup/cpu.cfs_quota_us"
    else
        cgroup=/sys/fs/cgroup/helloapi-bench
        mkdir -p "$cgroup"
        echo "$quota_us 100000" >"$cgroup/cpu.max"
    fi
fi

log=$(mktemp)
select_sql=$(mktemp)
cleanup() {
    kill "${api_pid:-}" 2>/dev/null || true
    wait "${api_pid:-}" 2>/dev/null || true
    rm -f "$log" "$select_sql"
    [ -z "$cgroup" ] || rmdir "$cgroup" 2>/dev/null || true
}
trap cleanup EXIT
printf '\\set id random(1, :users)\nSELECT * FROM users WHERE id = :id;\n' >"$select_sql"

prepare
field() { [[ $1 =~ [[:space:]]$2=([0-9.]+) ]] && printf '%s' "${BASH_REMATCH[1]}"; }

echo "| round | variant | req/s | p99 ms | ratio to pgbench | JVM CPU µs/req | non-2xx |"
echo "|---|---|---|---|---|---|---|"
variants=("$@")
for round in $(seq "$ROUNDS"); do
    # Every other round in reverse, so that a drift within a round does not always favour the same variant.
    order=("${variants[@]}")
    if [ $((round % 2)) -eq 0 ]; then
        order=()
        for ((i = ${#variants[@]} - 1; i >= 0; i--)); do order+=("${variants[i]}"); done
    fi
    for variant in "${order[@]}"; do
        label=${variant%%=*}
        spec=${variant#*=}
        jar=${spec%%,*}
        pool="" options=""
        [[ $spec == *,* ]] && pool=${spec#*,}
        [[ $pool == *,* ]] && { options=${pool#*,}; pool=${pool%%,*}; }
        [ -f "$jar" ] || { echo "no jar at $jar" >&2; exit 2; }
        # shellcheck disable=SC2086 # the options are separate JVM arguments
        DB_POOL_SIZE=${pool:-${DB_POOL_SIZE:-10}} start_api "$log" $options
        # The first start migrates a new benchmark database: seeded after it.
        [ -n "${seeded:-}" ] || { seed "$USERS"; seeded=yes; }
        [ -z "$cgroup" ] || echo "$api_pid" >"$cgroup/cgroup.procs"
        BENCH_USERS=$USERS wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -s "$BENCH_DIR/get_by_id.lua" \
            "http://127.0.0.1:$port" >/dev/null
        tps=$(pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "${DURATION%s}" -D users="$USERS" \
            -f "$select_sql" 2>/dev/null | awk '/^tps/ { printf "%d", $3 }')
        before=$(awk '{ print $14 + $15 }' "/proc/$api_pid/stat")
        result=$(BENCH_USERS=$USERS wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 5s \
            -s "$BENCH_DIR/get_by_id.lua" "http://127.0.0.1:$port" | grep '^RESULT')
        after=$(awk '{ print $14 + $15 }' "/proc/$api_pid/stat")
        requests=$(field "$result" requests) rps=$(field "$result" rps) p99=$(field "$result" p99_ms)
        bad=$(($(field "$result" non2xx) + $(field "$result" errors)))
        cpu_us=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$requests" \
            'BEGIN { printf "%.0f", n ? t / hz * 1e6 / n : 0 }')
        ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { printf "%.3f", b ? a / b : 0 }')
        echo "| $round | $label${pool:+ (pool $pool)} | $rps | $p99 | $ratio | $cpu_us | $bad |"
        kill "$api_pid"
        wait "$api_pid" 2>/dev/null || true
    done
done
echo
echo "Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')); wrk -t $THREADS -c $CONNECTIONS -d $DURATION;" \
    "CPU quota: ${QUOTA:-none}"
