#!/bin/sh
# The schema's owner's steps: migrations, the cache table, and the application role's rights
# (`grant_app_role`, after every migrate so new tables are covered). docker-compose runs this as
# the one-shot `migrate` service, the only one holding the owner's password; without a separate
# application role (APP_DB_ROLE unset) deploy/start.sh runs it itself.
set -eu
python manage.py migrate --noinput
python manage.py createcachetable
if [ -n "${APP_DB_ROLE:-}" ]; then
    python manage.py grant_app_role "$APP_DB_ROLE"
fi
