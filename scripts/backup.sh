#!/usr/bin/env bash
# Back up sciannot: the PostgreSQL database (pg_dump, custom format) and, with local storage,
# the media folder (a tar). With STORAGE=s3 the media live in the bucket: back it up with the
# store's own tools (e.g. `mc mirror` for MinIO, versioning or replication on S3).
#
#   scripts/backup.sh [DEST]     (default: $SCIANNOT_VAR_DIR/backups, or var/backups)
#
# Reads DATABASE_URL, STORAGE and MEDIA_ROOT like the app. Writes DEST/sciannot-<UTC time>/
# with db.dump, media.tar (local storage) and SHA256SUMS, which scripts/restore.sh checks.
# The dump is one consistent snapshot, and the media are read after it, so the files its rows
# name are in the tar (unless deleted in between); a file stored meanwhile is there without
# its row, which is harmless.
set -euo pipefail

die() { echo "backup.sh: $*" >&2; exit 1; }

var_dir=${SCIANNOT_VAR_DIR:-var}
dest=${1:-$var_dir/backups}
database_url=${DATABASE_URL:-}
storage=${STORAGE:-local}
media_root=${MEDIA_ROOT:-$var_dir/media}

case "$database_url" in
  postgres://* | postgresql://*) ;;
  "") die "DATABASE_URL is not set; backups are of PostgreSQL (for the SQLite default, copy var/db.sqlite3 while the app is stopped)" ;;
  *) die "DATABASE_URL must be a postgres:// URL" ;;
esac
command -v pg_dump >/dev/null || die "pg_dump is missing (apt-get install postgresql-client)"
if [ "$storage" = local ] && [ ! -d "$media_root" ]; then
  die "no media folder at $media_root (set MEDIA_ROOT)"
fi

mkdir -p "$dest"
name="sciannot-$(date -u +%Y%m%dT%H%M%SZ)"
[ ! -e "$dest/$name" ] || die "$dest/$name exists already"
# Written under a temporary name and renamed at the end: a backup folder is always whole.
work="$dest/.$name.partial"
rm -rf "$work"
mkdir "$work"
trap 'rm -rf "$work"' EXIT

pg_dump --format=custom --file="$work/db.dump" --dbname="$database_url"
files=(db.dump)
if [ "$storage" = local ]; then
  tar -C "$media_root" -cf "$work/media.tar" .
  files+=(media.tar)
else
  echo "media are in the S3 bucket ${AWS_STORAGE_BUCKET_NAME:-sciannot}: back it up with the store's tools"
fi
(cd "$work" && sha256sum "${files[@]}" >SHA256SUMS)
mv "$work" "$dest/$name"
trap - EXIT
echo "$dest/$name"
