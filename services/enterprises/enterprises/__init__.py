"""The enterprises service: social enterprise support and community research."""
import chassis  # noqa: F401
