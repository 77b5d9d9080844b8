"""The reporting service: read models of every service's events, and (later) the outcome ledger."""
import chassis  # noqa: F401
