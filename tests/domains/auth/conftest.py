from tests.oauth_fakes import fake_servers, providers

__all__ = ["fake_servers", "providers"]
