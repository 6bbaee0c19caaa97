# The sciannot image: one image for gunicorn, the Celery worker and Celery beat.
# Both stages install through the scripts CI runs on its host (scripts/install-*.sh), so every
# install step here is exercised by CI even where no Docker engine runs.

# --- build: a virtualenv with the pinned requirements, from wheels ---------------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHON=/usr/local/bin/python3.11
WORKDIR /src
COPY requirements.txt ./
COPY scripts/install-python.sh scripts/
RUN scripts/install-python.sh /opt/venv

# --- runtime: slim, the venv and the code, a user without privileges --------------------------
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=sciannot.settings \
    SCIANNOT_VAR_DIR=/app/var \
    LOG_FORMAT=json
WORKDIR /app
COPY scripts/install-system.sh scripts/
RUN scripts/install-system.sh --clean runtime
COPY --from=build /opt/venv /opt/venv
COPY . .
# The folders that compose mounts volumes on exist here, owned by the app's user, so new
# volumes start with that owner.
RUN useradd --create-home --uid 1000 sciannot \
    && mkdir -p /app/var/media /app/var/staticfiles /app/var/backups \
    && chown -R sciannot:sciannot /app/var
USER sciannot
EXPOSE 8000
# Migrations and collectstatic run when the web service starts (scripts/start-web.sh).
CMD ["scripts/start-web.sh"]
