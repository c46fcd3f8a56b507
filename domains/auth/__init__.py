"""Who is asking: passwords, JWT access and refresh tokens, revocation, per-user rate limits."""
