#!/bin/sh
# The web container's start sequence (the image's CMD). tests/test_image.py runs this very file
# in a fresh virtualenv holding the image's files, against PostgreSQL.
set -eu
# the owner's steps (deploy/migrate.sh); docker-compose runs them in the `migrate` service, as
# the owner, and serves here as the application role (README "Least privilege"): MIGRATE=0
if [ "${MIGRATE:-1}" = "1" ]; then
    sh deploy/migrate.sh
fi
# production (HTTPS=1) must pass Django's deployment checklist; plain HTTP (behind nothing)
# still refuses to start on errors and prints the transport warnings
if [ "${HTTPS:-0}" = "1" ]; then level=WARNING; else level=ERROR; fi
python manage.py check --deploy --fail-level "$level"
# one JSON line per request comes from the application (config.logs), not gunicorn's access
# log; gunicorn's own start and worker messages stay plain text on stderr
# WEB_TIMEOUT: a worker silent for longer is restarted; a site's ZIP of casebook PDFs (about a
# second per subject) streams within it (the study's archive: manage.py casebook_pdf)
exec gunicorn config.wsgi:application \
    --bind "${BIND:-0.0.0.0:8000}" \
    --workers "${WEB_CONCURRENCY:-3}" \
    --timeout "${WEB_TIMEOUT:-300}"
