from tests.s3server import s3_endpoint

__all__ = ["s3_endpoint"]
