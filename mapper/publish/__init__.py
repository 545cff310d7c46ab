"""Publishing external messages: to S3 (or any HTTP sink) with SigV4 signing, or to a local directory."""

from mapper.publish.endpoint import S3Endpoint
from mapper.publish.result import PublishResult
from mapper.publish.retry import RetryBudget, RetryPolicy
from mapper.publish.s3 import PublisherStats, S3Publisher

__all__ = ["PublishResult", "PublisherStats", "RetryBudget", "RetryPolicy", "S3Endpoint", "S3Publisher"]
