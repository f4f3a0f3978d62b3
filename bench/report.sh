#!/usr/bin/env bash
# Regenerates the README's Performance numbers with one command: builds the jar when there is none, creates the
# benchmark database when it is missing, starts the API as the 1 GB Fargate task runs it (JDK 25, virtual threads,
# heap sized for 1 GB), runs bench/run.sh against it, stops it, and runs bench/startup.sh. 6-12 minutes.
#
#   bench/report.sh
#
# Settings (environment): JDK25 (/usr/lib/jvm/temurin-25-jdk-amd64), JAR (container/target/helloapi.jar), PGHOST
# (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD, PGDATABASE (helloapi_bench), BENCH_PORT (8000); and
# those of bench/run.sh (BENCH_DURATION, BENCH_CONNECTIONS, ...). Loopback only, like the scripts it runs.
set -euo pipefail

# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
# Only signs the deep-page cursor that run.sh mints for this throwaway API.
export SECRET_KEY=bench-secret-key-0123456789

prepare
log=$(mktemp)
trap 'kill "${api_pid:-}" 2>/dev/null || true; rm -f "$log"' EXIT
start_api "$log"

BENCH_URL=http://127.0.0.1:$port API_PID=$api_pid "$root/bench/run.sh"
kill "$api_pid"
wait "$api_pid" 2>/dev/null || true

echo
DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$PGDATABASE DB_USERNAME=$PGUSER DB_PASSWORD=${PGPASSWORD:-} JAR=$jar \
    JDK25=$jdk "$root/bench/startup.sh"
