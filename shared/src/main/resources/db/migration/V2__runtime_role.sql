-- The role the serving tasks and the Lambda function log in as: it reads and writes the rows of users and can
-- change nothing else (no DDL, no other table). Migrations run as the schema's owner (the RDS master user).
-- It is created without a password: in AWS the migration task gives it the one its secret was created with
-- (DB_RUNTIME_SECRET_ARN), then Secrets Manager's rotation alternates it with helloapi_app_clone, a member of this
-- role. Roles belong to the whole server, so another database on it (a test's) may have created it already.
DO $$
BEGIN
    CREATE ROLE helloapi_app LOGIN;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO helloapi_app', current_database());
END
$$;

GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO helloapi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO helloapi_app;
-- The identity column's sequence, for inserts without an id.
GRANT USAGE ON SEQUENCE users_id_seq TO helloapi_app;
-- A migration that adds a table grants it here too: no default privileges, so nothing else is reachable by default.
