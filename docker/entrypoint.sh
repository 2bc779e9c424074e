#!/bin/sh
# Starts one role of the stack (docs/deployment.md):
#   migrate  one-shot, as the database owner (DATABASE_MIGRATION_URL): migrations, reference
#            data, and the application role's grants; web, worker and beat start only once it
#            has exited successfully, so a single process migrates, whatever the number of nodes
#   web      gunicorn
#   worker   a Celery worker
#   beat     Celery beat (exactly one in the whole installation)
# Anything else is run as a command (`docker compose run --rm web python manage.py shell`).
set -eu

# The owner's password must never reach web, worker or beat: whoever held it could switch the
# audit log's append-only trigger off. It belongs in secrets/, not in .env.
refuse_owner_password() {
  if [ -n "${POSTGRES_PASSWORD:-}" ] || [ -n "${DATABASE_MIGRATION_URL:-}" ]; then
    echo "The database owner's password is in this container's environment (POSTGRES_PASSWORD or" >&2
    echo "DATABASE_MIGRATION_URL, from .env?): remove it; only the migrate step receives it." >&2
    exit 64
  fi
}

case "${1:-web}" in
  migrate)
    : "${DATABASE_MIGRATION_URL:?the migrate step connects as the database owner}"
    : "${POSTGRES_APP_USER:?the role web, worker and beat connect as}"
    export DATABASE_URL="$DATABASE_MIGRATION_URL"
    # The password from the secret file, given to libpq as PGPASSWORD: a URL without one
    # leaves the connection to libpq's environment, and no character needs URL-escaping.
    if [ -n "${DATABASE_MIGRATION_PASSWORD_FILE:-}" ]; then
      PGPASSWORD="$(cat "$DATABASE_MIGRATION_PASSWORD_FILE")"
      export PGPASSWORD
    fi
    python manage.py migrate --no-input
    python manage.py load_reference_data
    python manage.py grant_app_role "$POSTGRES_APP_USER"
    ;;
  web)
    refuse_owner_password
    # Bind address, workers (WEB_CONCURRENCY) and the trusted proxies (FORWARDED_ALLOW_IPS).
    exec gunicorn selec.wsgi:application --config /app/docker/gunicorn.conf.py
    ;;
  worker)
    refuse_owner_password
    # Named after the container's host name, which its health check asks by name.
    exec celery -A selec worker --loglevel INFO --hostname "celery@${HOSTNAME:-worker}"
    ;;
  beat)
    refuse_owner_password
    exec celery -A selec beat --loglevel INFO
    ;;
  *)
    exec "$@"
    ;;
esac
