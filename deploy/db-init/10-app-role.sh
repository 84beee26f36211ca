#!/bin/sh
# Run once by the postgres image when the database is first created: the login role the
# application runs as. It owns nothing; `manage.py grant_app_role` (deploy/start.sh, as the owner,
# after every migrate) gives it rows to read and write, and the audit trail to append to.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="${APP_DB_USER:-edc_app}" -v password="${APP_DB_PASSWORD:?set APP_DB_PASSWORD}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
SQL
