# syntax=docker/dockerfile:1
#
# prm web image (also used for the Celery worker and beat; see docker-compose.yml).
#
#   docker build -t prm .
#   docker run --rm -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=... -e REDIS_URL=... prm
#
# Run migrations before starting a new release: `docker run ... prm python manage.py migrate`.

FROM python:3.11-slim

# gunicorn reads its default worker count from WEB_CONCURRENCY: 3 suits a small
# (1-2 vCPU) host; raise it to about 2 x cores + 1 on larger ones (docker run -e / compose env).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

RUN groupadd --system prm \
    && useradd --system --gid prm --home-dir /app --no-create-home --shell /usr/sbin/nologin prm

WORKDIR /app

# Dependencies first (with the japanese extra), from pyproject.toml alone, so code changes keep this layer cached.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['japanese']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself. Editable, so that `prm` is imported from /app by every entry point
# (manage.py, gunicorn, celery) and settings find templates/, static/ and var/ beside it.
COPY . .
RUN pip install --no-deps -e . \
    && mkdir -p var /data/private \
    && chown prm:prm var /data/private

USER prm

# Static files are collected into var/static (STATIC_ROOT) at build time and served by WhiteNoise.
# SECRET_KEY and ALLOWED_HOSTS below only exist for this build step (settings refuse to load
# without them when DEBUG is off); the real values come from the environment at run time.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "prm.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--timeout", "60"]
