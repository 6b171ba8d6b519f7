"""The accounts of an organization's people: sign-in, sessions, one-time links (set-up,
invitation, password reset) and roles. The dashboard is the edge that uses them; the CLI
(`salon users`) is another.

    service.py (sign-in, sessions, one-time links) ──► storage/accounts.py
    pure rules: model.py · passwords.py · tokens.py · throttle.py
"""
