-- cddpm's state database (trials, tracking outbox, Quartz tables) next to MLflow's, on the compose
-- file's PostgreSQL; run by the postgres image when its volume is new. For an existing volume:
--   docker compose exec postgres createdb -U mlflow cddpm
CREATE DATABASE cddpm;
