"""The dashboard at `/dashboard`: the people of an organization sign in and manage its API keys,
allowed domains, webhooks, meetings, recordings and members, and watch its live rooms.

    browser ──cookie + CSRF──► web.py (session, role, form) ──► service calls ──► render.py
                                                                (templates/*.html, autoescaped)
    the accounts domain (salon.accounts: sign-in, sessions, one-time links) ──► storage
    pure rules: permissions.py (which role may use which area)
"""
