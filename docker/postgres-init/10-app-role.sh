#!/bin/sh
# The login role the application (web, worker, beat) connects as: it owns nothing, so it cannot
# switch off or drop the audit log's append-only trigger (docs/deployment.md, "Database roles").
# The migrate service grants it its row privileges (manage.py grant_app_role) after each
# migration. PostgreSQL's image runs this once, when it initialises an empty data directory;
# for an existing one, run it by hand (idempotent: it sets the password again):
#   docker compose exec db sh /docker-entrypoint-initdb.d/10-app-role.sh
set -eu
: "${POSTGRES_APP_USER:?name the application role in POSTGRES_APP_USER}"
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD in .env}"
# The name and the password go in as psql variables and are quoted by format() (%I, %L), so
# no character of either can change the statement.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="$POSTGRES_APP_USER" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'app_user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'app_user', :'app_password') \gexec
SQL
