"""The console's tests share one platform of their own, for this package only (tests/support/console_site.py)."""
from tests.support.console_site import site  # noqa: F401  (the package's fixture)
