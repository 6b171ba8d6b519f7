"""The dashboard at `/dashboard`: the people of an organization sign in and manage its API keys,
allowed domains, webhooks, meetings, recordings and members, and watch its live rooms.

    browser ──cookie + CSRF──► web.py (session, role, form) ──► service calls ──► render.py
                                                                (templates/*.html, autoescaped)
    accounts.py (sign-in, sessions, one-time links) ──► storage/accounts.py
    pure rules: model.py · passwords.py · tokens.py · permissions.py · throttle.py
"""
