"""The referrals service: client intake from partner organisations."""
import chassis  # noqa: F401  (psycopg cooperative before anything imports it)
