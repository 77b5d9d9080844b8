"""The console's own rules: staff accounts and sessions (accounts.py), what each role sees (navigation.py), and
how a contract's schema becomes a form and a form an API body (forms.py). No HTTP, no SQL."""
