#!/usr/bin/env bash
# Where a GET by id spends its CPU: starts the API as bench/report.sh does, with async-profiler (from Maven Central)
# sampling on-CPU stacks, drives GET by id with wrk in steady state, and prints the share of all samples charged to
# each component (the innermost one named on each stack). The collapsed stacks are kept for a flame graph.
#
#   bench/profile.sh      # about 2 minutes; needs what bench/run.sh needs
#
# Settings (environment): JDK25 (/usr/lib/jvm/temurin-25-jdk-amd64), JAR (container/target/helloapi.jar), PGHOST
# (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD, PGDATABASE (helloapi_bench), BENCH_PORT (8000),
# PROFILE_OUT (profile-get-by-id.collapsed). Loopback only.
set -euo pipefail

# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
out=${PROFILE_OUT:-profile-get-by-id.collapsed}
users=100000

require wrk psql
prepare

work=$(mktemp -d)
trap '{ kill "${api_pid:-}" && wait "${api_pid:-}"; } 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/mvnw" -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 -DoutputDirectory="$work"
(cd "$work" && "$jdk/bin/jar" xf async-profiler-4.1-linux-x64.jar linux-x64/libasyncProfiler.so)
mkdir "$work/dumps"
# A dump of the last 10 s every 10 s; one that falls wholly inside the measured run is the steady state.
start_api "$work/api.log" \
    "-agentpath:$work/linux-x64/libasyncProfiler.so=start,event=cpu,interval=1ms,loop=10s,collapsed,file=$work/dumps/%t.txt"

seed "$users"
export BENCH_DIR=$root/bench BENCH_USERS=$users
wrk -t 2 -c 32 -d 60s -s "$BENCH_DIR/get_by_id.lua" "http://127.0.0.1:$port" >/dev/null
touch "$work/start"
wrk -t 2 -c 32 -d 25s -s "$BENCH_DIR/get_by_id.lua" "http://127.0.0.1:$port" | grep '^RESULT'
touch "$work/end"
dump=$(find "$work/dumps" -name '*.txt' -newer "$work/start" ! -newer "$work/end" | sort | sed -n 2p)
[ -n "$dump" ] || { echo "no profile dump fell inside the measured run" >&2; exit 1; }
cp "$dump" "$out"

# Each stack goes to the innermost component it names; the rest by its thread's first frame.
awk '
    BEGIN {
        n = split("Tomcat:org/apache/|request log:ch/qos/logback|request log:org/springframework/boot/logging|" \
            "Micrometer:io/micrometer|" \
            "Spring Security:org/springframework/security|Spring MVC:org/springframework/web|" \
            "Spring Data JDBC:org/springframework/data|Spring JDBC:org/springframework/jdbc|HikariCP:com/zaxxer|" \
            "AWS JDBC Wrapper:software/amazon/jdbc|pgjdbc:org/postgresql|Jackson:tools/jackson|HelloAPI:com/helloapi|" \
            "virtual-thread scheduling:java/lang/VirtualThread|virtual-thread timers:DelayScheduler|" \
            "JIT compiler:CompileBroker|GC:G1|Tomcat socket I/O:sun/nio/ch/SocketChannelImpl|" \
            "pgjdbc socket I/O:sun/nio/ch/NioSocketImpl", rules, "|")
        for (i = 1; i <= n; i++) { split(rules[i], pair, ":"); name[i] = pair[1]; marker[i] = pair[2] }
    }
    {
        count = $NF; stack = $0; sub(/ [0-9]+$/, "", stack); total += count; category = ""; deepest = -1
        for (i = 1; i <= n; i++) {
            position = 0; rest = stack
            while ((found = index(rest, marker[i])) > 0) { position += found; rest = substr(rest, found + 1) }
            if (position > deepest && position > 0) { deepest = position; category = name[i] }
        }
        if (category == "") { split(stack, frames, ";"); category = "other (" frames[1] ")" }
        share[category] += count
    }
    END {
        for (c in share) printf "%5.1f %%  %s\n", 100 * share[c] / total, c
    }' "$out" | sort -rn | head -n 20
echo "collapsed stacks: $out (flame graph: async-profiler's converter, or speedscope)"
