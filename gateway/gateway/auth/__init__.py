"""Identity: users with argon2 passwords, API keys, JWT access tokens, roles."""
