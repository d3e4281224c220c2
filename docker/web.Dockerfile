# syntax=docker/dockerfile:1
# The web role: gunicorn serving Django, static files served by whitenoise from the image.
#   docker build -f docker/web.Dockerfile -t benchcouncil-web .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=benchcouncil.settings \
    BENCHCOUNCIL_VAR_DIR=/var/lib/benchcouncil \
    LOG_FORMAT=json

RUN useradd --create-home --uid 10001 app \
    && install -d -o app -g app /var/lib/benchcouncil
WORKDIR /app

# Dependencies in their own layer, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
# Editable, so that the code runs from /app, where templates/ and static/ live.
RUN pip install --no-deps -e . \
    && SECRET_KEY=collectstatic-only CELERY_BROKER_URL=memory:// python manage.py collectstatic --noinput -v 0

USER app
EXPOSE 8000
# docker/gunicorn.conf.py: workers (WEB_CONCURRENCY), threads, timeouts, JSON logs.
CMD ["gunicorn", "-c", "docker/gunicorn.conf.py", "benchcouncil.wsgi:application"]
