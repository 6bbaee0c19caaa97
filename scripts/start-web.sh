#!/bin/sh
# The web service's start: apply migrations, collect static files into the volume nginx
# serves them from, then run gunicorn (deploy/gunicorn.conf.py) in this process's place.
set -eu
cd "$(dirname "$0")/.."
python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
exec gunicorn --config deploy/gunicorn.conf.py sciannot.wsgi:application
