"""AWS and Pillow behind the use cases: S3, SNS, KMS, Cognito tokens, logs and metrics."""
