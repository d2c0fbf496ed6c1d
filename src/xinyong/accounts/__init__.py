"""Accounts on the web: log in and out, my page, the console home, the audit viewer, /api/v1/me."""
