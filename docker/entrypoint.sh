#!/bin/sh
# Starts one role of the stack: web (gunicorn), worker or beat (Celery).
set -eu
case "${1:-web}" in
  web)
    python manage.py migrate --no-input
    python manage.py load_reference_data
    python manage.py collectstatic --no-input --verbosity 0
    # Bind address, workers (WEB_CONCURRENCY) and the trusted proxies (FORWARDED_ALLOW_IPS).
    exec gunicorn selec.wsgi:application --config /app/docker/gunicorn.conf.py
    ;;
  worker)
    exec celery -A selec worker --loglevel INFO
    ;;
  beat)
    exec celery -A selec beat --loglevel INFO
    ;;
  *)
    exec "$@"
    ;;
esac
