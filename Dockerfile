FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY trial ./trial
COPY screening ./screening
COPY dosing ./dosing
COPY safety ./safety
COPY templates ./templates
COPY manage.py ./
RUN pip install --no-cache-dir .

# collectstatic needs a key to import the settings; the real one comes from the environment.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home edc
USER edc
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
