"""Kawal's deploy tooling: the AWS resources a stage needs (bootstrap, resources), the
least-privilege IAM policies (iam), the CloudFormation template (template) and the packaged
zip's check (package_check). The embedded runner (kawal_local) uses the same resources."""
