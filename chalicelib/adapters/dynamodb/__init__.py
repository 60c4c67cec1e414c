"""The DynamoDB adapters: one table, a module per aggregate (``chalicelib.storage`` is
their front door)."""
