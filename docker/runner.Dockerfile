# syntax=docker/dockerfile:1
# The GPU runner role: a Celery worker with PyTorch that executes model submissions from the
# queue runner.<RUNNER_POOL> and reports back over HTTP with its host token.
#   docker build -f docker/runner.Dockerfile -t benchcouncil-runner .
# The host needs the NVIDIA driver and the NVIDIA Container Toolkit; the CUDA libraries
# come with the base image and the torch wheels. Free-level model code runs in bubblewrap,
# which needs user namespaces: with Docker's default seccomp profile they are refused, and
# the runner then refuses model-code jobs (docs/runners.md, "Isolation").
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BENCHCOUNCIL_VAR_DIR=/var/lib/benchcouncil \
    LOG_FORMAT=json \
    RUNNER_POOL=default

# Python 3.11 from the deadsnakes archive: Ubuntu 22.04's own is 3.10.
RUN apt-get update \
    && apt-get install -y --no-install-recommends software-properties-common gpg-agent \
    && add-apt-repository -y ppa:deadsnakes/ppa \
    && apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv bubblewrap \
    && apt-get purge -y software-properties-common gpg-agent && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/* \
    && python3.11 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

RUN useradd --create-home --uid 10001 app \
    && install -d -o app -g app /var/lib/benchcouncil /data /data/work
WORKDIR /app

# The package's dependencies plus the runner extra (torch, torchvision), in their own layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['runner']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
RUN pip install --no-deps -e .

USER app
# One job at a time per GPU host; -n runner@%h is what the compose health check pings.
CMD ["sh", "-c", "exec celery -A runners.worker.celery worker -Q runner.${RUNNER_POOL} -n runner@%h -c 1 -l INFO"]
