#!/usr/bin/env bash
# Regenerates the README's Performance numbers with one command: builds the jar when there is none, creates the
# benchmark database when it is missing, starts the API as the 1 GB Fargate task runs it (JDK 25, virtual threads,
# heap sized for 1 GB), runs bench/run.sh against it, stops it, and runs bench/startup.sh. About 11 minutes.
#
#   bench/report.sh
#
# Settings (environment): JDK25 (/usr/lib/jvm/temurin-25-jdk-amd64), JAR (container/target/helloapi.jar), PGHOST
# (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD, PGDATABASE (helloapi_bench), BENCH_PORT (8000); and
# those of bench/run.sh (BENCH_DURATION, BENCH_CONNECTIONS, ...). Loopback only, like the scripts it runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
java25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
jar=${JAR:-$root/container/target/helloapi.jar}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGDATABASE=${PGDATABASE:-helloapi_bench}
port=${BENCH_PORT:-8000}
# Only signs the deep-page cursor that run.sh mints for this throwaway API.
export SECRET_KEY=bench-secret-key-0123456789

[[ $PGHOST == localhost || $PGHOST == 127.* ]] || { echo "refusing non-loopback database $PGHOST" >&2; exit 2; }
[ -x "$java25" ] || { echo "JDK 25 not found at $java25 (set JDK25)" >&2; exit 2; }
if ss -ltnH "sport = :$port" | grep -q .; then
    echo "port $port is taken: stop what listens there or set BENCH_PORT" >&2
    exit 2
fi
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'" | grep -q 1; then
    psql -d postgres -qc "CREATE DATABASE $PGDATABASE"
fi

log=$(mktemp)
DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$PGDATABASE DB_USERNAME=$PGUSER DB_PASSWORD=${PGPASSWORD:-} PORT=$port \
    "$java25" -XX:MaxRAM=1g -XX:MaxRAMPercentage=75 -jar "$jar" >"$log" 2>&1 &
api=$!
trap 'kill "$api" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness" && break
    [ -d "/proc/$api" ] || { echo "the API exited before it was ready:" >&2; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.1
done

BENCH_URL=http://127.0.0.1:$port API_PID=$api "$root/bench/run.sh"
kill "$api"
wait "$api" 2>/dev/null || true

echo
DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$PGDATABASE DB_USERNAME=$PGUSER DB_PASSWORD=${PGPASSWORD:-} JAR=$jar \
    "$root/bench/startup.sh"
