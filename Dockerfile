# The sciannot image: one image for the web process and the Celery worker.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home --uid 1000 sciannot && mkdir -p /app/var && chown -R sciannot /app/var
USER sciannot
EXPOSE 8000
CMD ["gunicorn", "sciannot.wsgi:application", "--bind", "0.0.0.0:8000"]
