#!/bin/sh
# One-shot (compose service temporal-schema): creates Temporal's two databases if missing and
# brings both schemas to the version this admin-tools image ships. Idempotent, so it runs on every
# `up`, and it is how a server upgrade migrates the schema: bump the image tags together.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u "$POSTGRES_USER" "$@"; }
nc -z -w 10 postgresql 5432
for db in temporal temporal_visibility; do
  tool --db "$db" create || echo "database $db already exists"
done
tool --db temporal setup-schema -v 0.0
tool --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
tool --db temporal_visibility setup-schema -v 0.0
tool --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned
echo "Temporal schemas are up to date"
