"""One module per dashboard: ``dashboard(config) -> dict`` (see monitoring.grafana for the builders)."""
