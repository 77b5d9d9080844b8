-- Databases are created by `python -m chassis.migrate` (the compose "migrate" service); nothing else is needed
-- at initdb time. Kept so operators have one place for cluster-wide settings.
SELECT 1;
