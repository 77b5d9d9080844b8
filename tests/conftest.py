"""Root of the test suite. What each level may fake is said in its own conftest.py.

psycopg must wait cooperatively (PSYCOPG_WAIT_FUNC) before anything imports it, and the in-process nameko
containers need eventlet's monkey-patching (nameko's pytest plugin no longer does it).
"""
import os

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # eventlet's own "deprecated, bugfix mode" notice (runtime lab, section 1)
    import eventlet

eventlet.monkey_patch()

pytest_plugins = ["tests.support.fixtures"]
