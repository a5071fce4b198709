-- One database per service (DESIGN.md section 2): no service reads another's tables.
-- Run by the postgres image's entrypoint once, when the data volume is empty
-- (mounted into /docker-entrypoint-initdb.d by docker-compose.yml), as POSTGRES_USER.
-- Tables are created by each service at start (python -m shared.migrate via its main module).

CREATE DATABASE applications;
CREATE DATABASE funding;
CREATE DATABASE monitoring;
CREATE DATABASE publication;

-- Only the owner (POSTGRES_USER) and roles granted CONNECT explicitly may connect.
REVOKE ALL ON DATABASE applications FROM PUBLIC;
REVOKE ALL ON DATABASE funding FROM PUBLIC;
REVOKE ALL ON DATABASE monitoring FROM PUBLIC;
REVOKE ALL ON DATABASE publication FROM PUBLIC;
