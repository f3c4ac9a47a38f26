#!/bin/sh
# Runs once, when the postgres image initialises an empty data directory (docker-entrypoint-initdb.d):
# with AE_REPLICATION_PASSWORD set, a role that may only stream WAL, and the pg_hba.conf line that
# lets it connect for replication (the image's own lines match databases, never `replication`).
set -eu
if [ -z "${AE_REPLICATION_PASSWORD:-}" ]; then
  echo "AE_REPLICATION_PASSWORD is not set: no replication role (the scale profile's standby needs it)"
  exit 0
fi
psql -v ON_ERROR_STOP=1 -v password="$AE_REPLICATION_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
create role replicator with replication login password :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
