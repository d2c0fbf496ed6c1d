"""Counter codes on the web: a subject opens its own account or sets a new password with the
code staff issued (portal pages and API), staff issue codes from the console."""
