-- Runs once, when the postgres service first initialises its volume
-- (docker-entrypoint-initdb.d), as the superuser `postgres`.
--
-- One Postgres hosts two owners that never share a database:
--   recoup   owns `recoup`                             (DATABASE_URL; `recoup migrate`)
--   temporal owns `temporal` and `temporal_visibility` (temporalio/auto-setup)
-- Neither role is a superuser. Each owns its databases, so on Postgres 15 it
-- may create objects in their `public` schema, and `temporal` may create the
-- trusted extension btree_gin that Temporal's visibility schema needs.
-- The passwords match docker-compose.yml; change both together.

CREATE ROLE recoup LOGIN PASSWORD 'recoup';
CREATE DATABASE recoup OWNER recoup;

CREATE ROLE temporal LOGIN CREATEDB PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
