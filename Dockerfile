# The production image: the whole project (minus .dockerignore) on Debian 12 with Python 3.11,
# dependencies at the exact versions of constraints.txt, static files collected, non-root user.
# tests/test_image.py builds the same file set, installs it into a fresh virtualenv and runs
# deploy/start.sh against PostgreSQL (these machines have no Docker engine).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# pg_dump / pg_restore of the same major version as the database, for the backup job; the time
# zone database, for the scheduler's times in the study's time zone (TZ); Pango and fonts for
# WeasyPrint's casebook PDFs (archive copies), Noto CJK for Chinese in them; gettext's msgfmt
# to compile the translations (locale/)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 tzdata \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk \
       gettext \
    && rm -rf /var/lib/apt/lists/*

COPY . .
RUN pip install --no-cache-dir -c constraints.txt ".[deploy]"

# collectstatic needs a key to import the settings; the real one comes from the environment.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN SECRET_KEY=compilemessages-only python manage.py compilemessages -v0

RUN useradd --create-home --uid 1000 edc && mkdir -p /backups && chown edc /backups
USER edc
ENV BACKUP_DIR=/backups
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["sh", "deploy/start.sh"]
