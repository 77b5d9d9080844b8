"""After restoring a database backup: erase again everyone erased since (``python -m launcher.restore``).

A backup taken before an erasure still holds that person's wrapped data key. The erasure register
(``chassis_erasures``, and the ``client_erased_v1`` events in reporting) must therefore be kept out of the
backup cycle, or restored from a newer copy, before this runs; docs/security.md has the procedure.
"""
from __future__ import annotations

import sys

from chassis.vault import Vault, master_key
from launcher.credentials import applications


def main() -> int:
    for app in applications():
        print(f"{app.name}: {Vault(app, master_key()).reapply_erasures()} keys erased again")
    return 0


if __name__ == "__main__":
    sys.exit(main())
