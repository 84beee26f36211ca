#!/bin/sh
# The web container's start sequence (the image's CMD). tests/test_image.py runs this very file
# in a fresh virtualenv holding the image's files, against PostgreSQL.
set -eu
# migrations run as the tables' owner (OWNER_DATABASE_URL); the application as APP_DB_ROLE, which
# may read and write rows only (README "Least privilege"); without them both are DATABASE_URL
owner="${OWNER_DATABASE_URL:-$DATABASE_URL}"
DATABASE_URL="$owner" python manage.py migrate --noinput
DATABASE_URL="$owner" python manage.py createcachetable
if [ -n "${APP_DB_ROLE:-}" ]; then
    DATABASE_URL="$owner" python manage.py grant_app_role "$APP_DB_ROLE"
fi
# production (HTTPS=1) must pass Django's deployment checklist; plain HTTP (behind nothing)
# still refuses to start on errors and prints the transport warnings
if [ "${HTTPS:-0}" = "1" ]; then level=WARNING; else level=ERROR; fi
python manage.py check --deploy --fail-level "$level"
# one JSON line per request comes from the application (config.logs), not gunicorn's access
# log; gunicorn's own start and worker messages stay plain text on stderr
exec gunicorn config.wsgi:application \
    --bind "${BIND:-0.0.0.0:8000}" \
    --workers "${WEB_CONCURRENCY:-3}"
