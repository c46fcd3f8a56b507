"""Accounts: email or external (OAuth) identities, profile, and deleting an account with its data."""
