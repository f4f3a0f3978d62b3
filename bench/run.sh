#!/usr/bin/env bash
# HelloAPI benchmark: seeds users directly in SQL, drives a running API with wrk and the same database with pgbench,
# and prints one table (req/s, p50, p99, non-2xx, ratio to pgbench, JVM CPU per request, RSS), then the deep page's
# median latency against the first page's, measured in turns.
#
#   bench/run.sh                  # the API on http://127.0.0.1:8000, its database on 127.0.0.1:5432
#
# Settings (environment): BENCH_URL (http://127.0.0.1:8000), PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres),
# PGDATABASE (helloapi_bench), SECRET_KEY (the API's, to mint a deep cursor), BENCH_USERS (100000),
# BENCH_DEEP_USERS (1000000), BENCH_DURATION (10s), BENCH_WARMUP (60s: C2 needs that long on 2 busy cores),
# BENCH_SCENARIO_WARMUP (10s, before each scenario), BENCH_CONNECTIONS (32), BENCH_THREADS (2), API_PID (found from
# the port if unset). Only loopback targets are accepted; every run is bounded by its duration.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
export BENCH_DIR
# shellcheck source=bench/common.sh
. "$BENCH_DIR/common.sh"
BENCH_URL=${BENCH_URL:-http://127.0.0.1:8000}
USERS=${BENCH_USERS:-100000}
DEEP_USERS=${BENCH_DEEP_USERS:-1000000}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-60s}
SCENARIO_WARMUP=${BENCH_SCENARIO_WARMUP:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
SECRET_KEY=${SECRET_KEY:?set SECRET_KEY to the one the API runs with: it signs the deep-page cursor}

host_of() { local rest=${1#*://}; rest=${rest%%/*}; rest=${rest%:*}; printf '%s' "${rest#[}" | tr -d ']'; }
api_host=$(host_of "$BENCH_URL")
is_loopback "$api_host" || { echo "refusing non-loopback API target: $api_host" >&2; exit 2; }
is_loopback "$PGHOST" || { echo "refusing non-loopback database: $PGHOST" >&2; exit 2; }
require wrk pgbench psql

port=${BENCH_URL##*:}; port=${port%%/*}
API_PID=${API_PID:-$(ss -ltnpH "sport = :$port" | grep -o "pid=[0-9]*" | head -n 1 | cut -d= -f2 || true)}
[ -n "$API_PID" ] || { echo "no process listens on port $port; start the API first" >&2; exit 2; }
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$API_PID/stat"; }
rss_mb() { awk "/^$1:/ { printf \"%d\", \$2 / 1024 }" "/proc/$API_PID/status"; }

# cursor NAME ID: a next-page cursor after ID, signed like the API's Cursors (HMAC-SHA256, 16 bytes, base64url).
cursor() {
    local payload="n$1"
    local b64payload signature
    b64payload=$(printf '%s' "$payload" | base64 | tr '+/' '-_' | tr -d '=\n')
    signature=$(printf '%s' "$payload" | openssl dgst -sha256 -hmac "$SECRET_KEY" -binary | head -c 16 | base64 \
        | tr '+/' '-_' | tr -d '=\n')
    printf '%s.%s' "$b64payload" "$signature"
}

declare -a rows=()
pgbench_tps() {
    pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "${DURATION%s}" -D users="$USERS" -f "$1" 2>/dev/null \
        | awk '/^tps/ { printf "%d", $3 }'
}

# measured LUA: one measured wrk run of a scenario's script; prints wrk's RESULT line.
measured() {
    BENCH_USERS=$USERS wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 5s -s "$BENCH_DIR/$1" \
        "$BENCH_URL" | grep '^RESULT'
}

# field RESULT NAME: one number of a RESULT line.
field() { [[ $1 =~ [[:space:]]$2=([0-9.]+) ]] && printf '%s' "${BASH_REMATCH[1]}"; }

# scenario NAME LUA PGBENCH_TPS: one wrk run, with the API's CPU time over it and the RSS after it.
scenario() {
    local name=$1 script=$2 reference=$3 before after result
    # Each scenario's own code path gets its JIT warm-up too (the global warm-up only runs the read/write mix).
    BENCH_USERS=$USERS wrk -t "$THREADS" -c "$CONNECTIONS" -d "$SCENARIO_WARMUP" -s "$BENCH_DIR/$script" "$BENCH_URL" \
        >/dev/null
    before=$(cpu_ticks)
    result=$(measured "$script")
    after=$(cpu_ticks)
    local requests rps p50 p99 non2xx errors
    requests=$(field "$result" requests) rps=$(field "$result" rps) p50=$(field "$result" p50_ms)
    p99=$(field "$result" p99_ms) non2xx=$(field "$result" non2xx) errors=$(field "$result" errors)
    local cpu_us ratio
    cpu_us=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$requests" 'BEGIN { printf "%.0f", n ? t / hz * 1e6 / n : 0 }')
    ratio=$(awk -v a="$rps" -v b="$reference" 'BEGIN { printf "%.3f", b ? a / b : 0 }')
    rows+=("| $name | $rps | $p50 | $p99 | $((non2xx + errors)) | $ratio | $cpu_us | $(rss_mb VmRSS) |")
    echo "$name: $result" >&2
}

select_sql=$(mktemp) insert_sql=$(mktemp)
trap 'rm -f "$select_sql" "$insert_sql"' EXIT
printf '\\set id random(1, :users)\nSELECT * FROM users WHERE id = :id;\n' >"$select_sql"
printf "INSERT INTO users (name, email) VALUES ('pgbench', gen_random_uuid() || '@pgbench.example') RETURNING *;\n" \
    >"$insert_sql"

seed "$USERS"
echo "warming up" >&2
BENCH_USERS=$USERS wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -s "$BENCH_DIR/mix.lua" "$BENCH_URL" >/dev/null
rss_idle=$(rss_mb VmRSS)

select_tps=$(pgbench_tps "$select_sql")
echo "pgbench primary-key SELECT: $select_tps TPS" >&2
scenario "GET /api/users/{id}/ (random id, ${USERS} users)" get_by_id.lua "$select_tps"
scenario "GET /api/users/ (first page)" first_page.lua "$select_tps"
insert_tps=$(pgbench_tps "$insert_sql")
echo "pgbench single-row INSERT: $insert_tps TPS" >&2
scenario "POST /api/users/" create.lua "$insert_tps"
scenario "90 % GET by id / 10 % POST" mix.lua "$select_tps"

seed "$DEEP_USERS"
BENCH_DEEP_CURSOR=$(cursor $((DEEP_USERS - 100)))
export BENCH_DEEP_CURSOR
scenario "GET /api/users/ (first page, ${DEEP_USERS} users)" first_page.lua "$select_tps"
scenario "GET /api/users/?cursor= (page at id $((DEEP_USERS - 100)))" deep_page.lua "$select_tps"

# p50 LUA: one more wrk run's median latency in ms, failing on any response outside 2xx.
p50() {
    local result
    result=$(measured "$1")
    [[ $(field "$result" non2xx) == 0 && $(field "$result" errors) == 0 ]] \
        || { echo "$1: responses outside 2xx: $result" >&2; exit 1; }
    field "$result" p50_ms
}
# The deep page against the first page, the issue's ratio: the two rows above run one after the other, so the
# machine's drift over those seconds lands on one of them. Measured again in turns (first, deep, first, deep).
deep_ratios=()
for _ in 1 2; do
    first_p50=$(p50 first_page.lua)
    deep_p50=$(p50 deep_page.lua)
    deep_ratios+=("$(awk -v d="$deep_p50" -v f="$first_p50" 'BEGIN { printf "%.2fx", d / f }')")
done

# The API's own JVM and its -X options (heap sizing above all), not whatever java is on the PATH.
api_jvm=$("/proc/$API_PID/exe" -version 2>&1 | head -n 1)
api_flags=$(tr '\0' '\n' <"/proc/$API_PID/cmdline" | grep -- '^-X' | paste -sd ' ' || true)

cat <<TABLE

Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/^Mem:/ { print $2 }') GiB; API: $api_jvm ${api_flags:+($api_flags)}
wrk -t $THREADS -c $CONNECTIONS -d $DURATION; pgbench -M prepared -c $CONNECTIONS -j $THREADS -T ${DURATION%s}: SELECT by id $select_tps TPS, INSERT $insert_tps TPS.
API RSS: $rss_idle MB after warm-up, $(rss_mb VmHWM) MB peak.

| Scenario | req/s | p50 ms | p99 ms | non-2xx | ratio to pgbench | JVM CPU µs/req | RSS MB |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Deep page p50 / first page p50 at $DEEP_USERS users, measured in turns: ${deep_ratios[*]}.
TABLE
