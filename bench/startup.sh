#!/usr/bin/env bash
# HelloAPI start-up: milliseconds from process start to the first 200 on /actuator/health/readiness, and the RSS then,
# for the jar on JDK 17 and JDK 25, and with the start-up optimisations: class data sharing (AppCDS, JDK 17) and
# JDK 25's AOT cache, both trained with one run that exits after the context refresh; and as the image starts it:
# Spring AOT's generated context (-Dspring.aot.enabled=true) with an AOT cache trained as container/Dockerfile does
# (no database, Flyway off), and the image's JVM options in a 1 GB task's memory. The other rows use the JVM's
# default heap for this machine.
#
#   bench/startup.sh     # needs container/target/helloapi.jar and a PostgreSQL for the API (DB_* settings)
#
# Settings (environment): JAR (container/target/helloapi.jar), DB_HOST (127.0.0.1), DB_NAME
# (helloapi_bench), DB_USERNAME (postgres), DB_PASSWORD, JDK17 (java on the PATH), JDK25
# (/usr/lib/jvm/temurin-25-jdk-amd64), RUNS (3), PORT (8001). Loopback only.
set -euo pipefail

# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
[ -f "$jar" ] || { echo "build first: ./mvnw -DskipTests package" >&2; exit 2; }
export DB_HOST=${DB_HOST:-127.0.0.1} DB_NAME=${DB_NAME:-helloapi_bench} DB_USERNAME=${DB_USERNAME:-postgres}
export SECRET_KEY=${SECRET_KEY:-startup-benchmark-secret-key} LOG_FORMAT=
is_loopback "$DB_HOST" || { echo "refusing non-loopback database $DB_HOST" >&2; exit 2; }
java17=${JDK17:+$JDK17/bin/}java
java25=$jdk/bin/java
runs=${RUNS:-3}
export PORT=${PORT:-8001}
work=$(mktemp -d)
trap 'pkill -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

# The extracted layout (a thin jar plus lib/) that class data sharing and AOT caches need: stable class paths.
"$java25" -Djarmode=tools -jar "$jar" extract --destination "$work/app" >/dev/null
thin=$work/app/$(basename "$jar")
"$java17" -XX:ArchiveClassesAtExit="$work/app17.jsa" -Dspring.context.exit=onRefresh -jar "$thin" \
    >"$work/train17.log" 2>&1 || true
"$java25" -XX:AOTCacheOutput="$work/app25.aot" -Dspring.context.exit=onRefresh -jar "$thin" \
    >"$work/train25.log" 2>&1 || true
DB_HOST=localhost DB_PORT=1 DB_USERNAME=aot-training SPRING_FLYWAY_ENABLED=false \
    "$java25" -XX:AOTCacheOutput="$work/image.aot" -Dspring.aot.enabled=true -Dspring.context.exit=onRefresh \
    -jar "$thin" >"$work/train-image.log" 2>&1 || true

# measure LABEL JAVA ARGS...: prints "LABEL ms rss_mb" for each run.
measure() {
    local label=$1 java=$2; shift 2
    for _ in $(seq "$runs"); do
        local start pid ready rss
        start=$(date +%s%N)
        "$java" "$@" >"$work/run.log" 2>&1 &
        pid=$!
        for _ in $(seq 1500); do
            if curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health/readiness"; then break; fi
            sleep 0.02
        done
        ready=$(( ($(date +%s%N) - start) / 1000000 ))
        [ -d "/proc/$pid" ] || { echo "$label: the API exited before it was ready" >&2; tail -n 20 "$work/run.log" >&2; exit 1; }
        rss=$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
        kill "$pid"; wait "$pid" 2>/dev/null || true
        echo "$label $ready $rss"
    done
}

{
    measure "JDK 17, java -jar" "$java17" -jar "$jar"
    measure "JDK 17, extracted + AppCDS" "$java17" -XX:SharedArchiveFile="$work/app17.jsa" -jar "$thin"
    measure "JDK 25, java -jar" "$java25" -jar "$jar"
    measure "JDK 25, extracted + AOT cache" "$java25" -XX:AOTCache="$work/app25.aot" -jar "$thin"
    measure "JDK 25, extracted + AOT cache + Spring AOT (the image, 1 GB task)" "$java25" -XX:MaxRAM=1g \
        "${image_options[@]}" -XX:AOTCache="$work/image.aot" -Dspring.aot.enabled=true -jar "$thin"
} | awk '
    { label = $0; sub(/ [0-9]+ [0-9]+$/, "", label); ms[label] = ms[label] " " $(NF - 1); rss[label] = $NF
      if (!(label in order)) { order[label] = ++n; names[n] = label } }
    END {
        print "| Start-up | ms to ready (each run) | RSS MB when ready |"
        print "|---|---|---|"
        for (i = 1; i <= n; i++) print "| " names[i] " |" ms[names[i]] " | " rss[names[i]] " |"
    }'
