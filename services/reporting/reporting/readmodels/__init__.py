"""Read models of the upstream services' integration events and the reports over them (docs/reports.md).

- ``projections``, ``enterprise_reports``: idempotent SQL writes per integration event (the inbox's transaction);
- ``queries``, ``enterprise_queries``: the reports, each as of a date;
- ``rebuild``: the read models rebuilt from the upstream logs, and checked against a rebuild;
- ``gauges``: the programme as the read models see it, for Prometheus;
- ``reports_api``: the HTTP entrypoints (mixed into the reporting service).
"""
