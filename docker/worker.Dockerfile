# syntax=docker/dockerfile:1
# The Celery role: validation, ranking, webhooks (queue "default") and, with another command,
# the beat scheduler. No GPU and no torch: runner jobs go to the runner image.
#   docker build -f docker/worker.Dockerfile -t benchcouncil-worker .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=benchcouncil.settings \
    BENCHCOUNCIL_VAR_DIR=/var/lib/benchcouncil \
    CELERY_BEAT_SCHEDULE_FILENAME=/var/lib/benchcouncil/celerybeat-schedule \
    LOG_FORMAT=json

RUN useradd --create-home --uid 10001 app \
    && install -d -o app -g app /var/lib/benchcouncil
WORKDIR /app

COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
RUN pip install --no-deps -e .

USER app
# -n worker@%h: the name the compose health check pings.
CMD ["celery", "-A", "benchcouncil", "worker", "-Q", "default", "-n", "worker@%h", "-c", "2", "-l", "INFO"]
