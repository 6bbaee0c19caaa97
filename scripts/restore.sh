#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an empty database and media folder.
#
#   scripts/restore.sh BACKUP_DIR
#
# DATABASE_URL must name an existing, empty PostgreSQL database (createdb it first) and, with
# local storage, MEDIA_ROOT an empty or missing folder. Everything is checked before anything
# is written: the checksums, that the database and the folder are empty. The database is
# restored in one transaction, with its triggers (frozen releases stay frozen).
set -euo pipefail

die() { echo "restore.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: scripts/restore.sh BACKUP_DIR"
backup=$1
var_dir=${SCIANNOT_VAR_DIR:-var}
database_url=${DATABASE_URL:-}
storage=${STORAGE:-local}
media_root=${MEDIA_ROOT:-$var_dir/media}

[ -d "$backup" ] || die "no backup folder at $backup"
[ -f "$backup/db.dump" ] && [ -f "$backup/SHA256SUMS" ] ||
  die "$backup is not a backup (db.dump and SHA256SUMS are missing)"
case "$database_url" in
  postgres://* | postgresql://*) ;;
  *) die "DATABASE_URL must be the postgres:// URL of the empty database to restore into" ;;
esac
command -v pg_restore >/dev/null || die "pg_restore is missing (apt-get install postgresql-client)"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS) ||
  die "$backup is damaged: its files do not match SHA256SUMS"

tables=$(psql "$database_url" --no-psqlrc --tuples-only --no-align --quiet \
  --command "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ||
  die "cannot connect to the database of DATABASE_URL"
[ "$tables" = 0 ] || die "the database is not empty ($tables tables): restore into a new, empty one"

restore_media=0
if [ -f "$backup/media.tar" ]; then
  if [ "$storage" = s3 ]; then
    echo "the backup has a media folder but STORAGE=s3: it is left in $backup/media.tar"
  else
    if [ -d "$media_root" ] && [ -n "$(ls -A "$media_root")" ]; then
      die "the media folder $media_root is not empty: restore into a new, empty one"
    fi
    restore_media=1
  fi
fi

pg_restore --single-transaction --exit-on-error --no-owner --no-privileges \
  --dbname="$database_url" "$backup/db.dump"
if ((restore_media)); then
  mkdir -p "$media_root"
  tar -C "$media_root" -xf "$backup/media.tar"
fi
echo "restored $backup"
