-- Run once by the postgres image on an empty volume (/docker-entrypoint-initdb.d).
-- One database per service and one for the gateway: no service reads another's tables.
CREATE DATABASE customer;
CREATE DATABASE complaints;
CREATE DATABASE returns;
CREATE DATABASE finance;
CREATE DATABASE gateway;
