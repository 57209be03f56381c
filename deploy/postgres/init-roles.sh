#!/bin/sh
# First boot of the PostgreSQL volume only (docker-entrypoint-initdb.d): one role per consumer.
#   booking   owns database `booking` (the app; its migrations create btree_gist, a trusted extension)
#   temporal  may create databases: admin-tools creates and migrates `temporal` and `temporal_visibility`
# Neither is a superuser. Passwords come from the container environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v booking_pw="$BOOKING_DB_PASSWORD" -v temporal_pw="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE booking LOGIN PASSWORD :'booking_pw';
CREATE DATABASE booking OWNER booking;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_pw';
SQL
