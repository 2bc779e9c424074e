#!/bin/sh
# Starts one role of the stack: web (gunicorn), worker or beat (Celery).
set -eu
case "${1:-web}" in
  web)
    python manage.py migrate --no-input
    python manage.py load_reference_data
    python manage.py collectstatic --no-input --verbosity 0
    exec gunicorn selec.wsgi:application --bind 0.0.0.0:8000 \
      --workers "${WEB_CONCURRENCY:-3}" --access-logfile - --forwarded-allow-ips "*"
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
