#!/usr/bin/env bash
# Cold path of the Lambda package (not a test): a new JVM per run, from start to the first API Gateway v2 event
# answered, without and with priming. Needs function/target/helloapi-lambda.zip (./mvnw -pl function -am package
# -DskipTests) and a PostgreSQL: DB_HOST etc. as for the application, by default the local 127.0.0.1:5432 with
# trust authentication, in a database helloapi_bench that this script creates.
#   bench/lambda/cold-start.sh [--runs N] [--java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java]
set -euo pipefail
cd "$(dirname "$0")/../.."

export DB_HOST=${DB_HOST:-127.0.0.1}
export DB_PORT=${DB_PORT:-5432}
export DB_NAME=${DB_NAME:-helloapi_bench}
export DB_USERNAME=${DB_USERNAME:-postgres}
export DB_PASSWORD=${DB_PASSWORD:-}
export DB_SSLMODE=${DB_SSLMODE:-disable}
export SECRET_KEY=${SECRET_KEY:-cold-start-benchmark-cursor-key}
# As template.yaml sets them for Lambda.
export DB_POOL_SIZE=2 DB_POOL_MIN_IDLE=0

if [ ! -f function/target/helloapi-lambda.zip ]; then
    echo "function/target/helloapi-lambda.zip is missing: ./mvnw -pl function -am package -DskipTests" >&2
    exit 1
fi
if ! PGPASSWORD=$DB_PASSWORD psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USERNAME" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    PGPASSWORD=$DB_PASSWORD psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USERNAME" -d postgres -qc "CREATE DATABASE $DB_NAME"
fi

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB"
exec java bench/lambda/ColdStart.java "$@"
