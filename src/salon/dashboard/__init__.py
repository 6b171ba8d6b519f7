"""The dashboard at `/dashboard`: the people of an organization sign in and manage its API keys,
allowed domains, webhooks, meetings and members, and watch its live rooms.

    browser ──cookie + CSRF──► web.py (session, role, form) ──► one service call ──► pages (HTML)
    accounts.py (sign-in, sessions, one-time links) ──► storage/accounts.py
    pure rules: model.py · passwords.py · tokens.py · permissions.py · throttle.py
"""
