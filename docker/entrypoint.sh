#!/bin/sh
# Entry point of the LCAMP Tracker image.
#   web      collect static files, then serve with gunicorn (gunicorn.conf.py)
#   migrate  wait for the database and apply migrations (run once, before web/worker/beat)
#   worker   Celery worker (the roll-up and other tasks)
#   beat     Celery beat (the schedule in settings.CELERY_BEAT_SCHEDULE)
#   anything else is run as given, e.g. `python manage.py createsuperuser`
set -eu

wait_for_database() {
    python /app/docker/wait_for_db.py
}

case "${1:-web}" in
    web)
        wait_for_database
        python manage.py collectstatic --noinput --verbosity 0
        exec gunicorn --config /app/gunicorn.conf.py lcamp.wsgi:application
        ;;
    migrate)
        wait_for_database
        exec python manage.py migrate --noinput
        ;;
    worker)
        wait_for_database
        exec celery -A lcamp worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${WORKER_CONCURRENCY:-2}" --hostname "worker@%h"
        ;;
    beat)
        wait_for_database
        exec celery -A lcamp beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule /app/var/celerybeat-schedule --pidfile=
        ;;
    *)
        exec "$@"
        ;;
esac
