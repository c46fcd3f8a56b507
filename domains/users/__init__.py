"""Accounts: email or OAuth identities, the profile, and deleting an account with its data."""
