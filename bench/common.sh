# shellcheck shell=bash
# Shared by the benchmark scripts: their settings (JDK25, JAR, BENCH_PORT, PG*), the checks and set-up before a
# measurement, the seeding of users, and the API started as the 1 GB Fargate task runs it (JDK 25, virtual threads,
# heap sized for 1 GB). Sourced, not run.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jdk=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
jar=${JAR:-$root/container/target/helloapi.jar}
port=${BENCH_PORT:-8000}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGDATABASE=${PGDATABASE:-helloapi_bench}

is_loopback() { [[ $1 == localhost || $1 == 127.* || $1 == ::1 ]]; }

# The JVM options the image runs with (JAVA_TOOL_OPTIONS in container/Dockerfile), in image_options; with
# -XX:MaxRAM=1g the JVM then sizes its heap as in the 1 GB task.
read -r -a image_options <<<"$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\([^"]*\)".*/\1/p' "$root/container/Dockerfile")"
[ "${#image_options[@]}" -gt 0 ] || { echo "no JAVA_TOOL_OPTIONS found in container/Dockerfile" >&2; exit 2; }

# require TOOL...: exits naming the first tool that is missing.
require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install wrk postgresql-client)" >&2; exit 2; }
    done
}

# seed N: exactly N users, ids 1 to N, written directly in SQL.
seed() {
    echo "seeding $1 users in $PGDATABASE" >&2
    psql -q -v ON_ERROR_STOP=1 <<SQL
TRUNCATE users RESTART IDENTITY;
INSERT INTO users (name, email) SELECT 'User ' || g, 'user' || g || '@bench.example' FROM generate_series(1, $1) g;
VACUUM ANALYZE users;
SQL
}

# prepare: refuses a non-loopback database or a taken port, builds the jar and creates the benchmark database when
# they are missing.
prepare() {
    [ -x "$jdk/bin/java" ] || { echo "JDK 25 not found at $jdk (set JDK25)" >&2; exit 2; }
    is_loopback "$PGHOST" || { echo "refusing non-loopback database $PGHOST" >&2; exit 2; }
    if ss -ltnH "sport = :$port" | grep -q .; then
        echo "port $port is taken: stop what listens there or set BENCH_PORT" >&2
        exit 2
    fi
    [ -f "$jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
    if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'" | grep -q 1; then
        psql -d postgres -qc "CREATE DATABASE $PGDATABASE"
    fi
}

# start_api LOG [JAVA_OPTION...]: starts the API on the port against the benchmark database, with the image's JVM
# options in a 1 GB task's memory, and returns when it is ready, with its pid in api_pid; exits with the log's tail if
# the API stops first.
start_api() {
    local log=$1
    shift
    DB_HOST=$PGHOST DB_PORT=$PGPORT DB_NAME=$PGDATABASE DB_USERNAME=$PGUSER DB_PASSWORD=${PGPASSWORD:-} PORT=$port \
        SECRET_KEY=${SECRET_KEY:-bench-secret-key-0123456789} \
        "$jdk/bin/java" -XX:MaxRAM=1g "${image_options[@]}" "$@" -jar "$jar" >"$log" 2>&1 &
    api_pid=$!
    for _ in $(seq 600); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/actuator/health/readiness" && return 0
        [ -d "/proc/$api_pid" ] || { echo "the API exited before it was ready:" >&2; tail -n 20 "$log" >&2; exit 1; }
        sleep 0.1
    done
    echo "the API was not ready within 60 s" >&2
    exit 1
}
