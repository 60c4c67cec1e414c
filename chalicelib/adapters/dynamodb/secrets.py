"""The stage's server-side secret."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.base import _marshal, _Table, dynamodb_errors


class SecretStore(_Table):
    """Server-side secrets (cursor sealing, derived identifiers): made once per
    stage on first use, by whichever function needs one first, then read."""

    def get_or_create(self, name: str) -> bytes:
        import base64
        import secrets

        from botocore.exceptions import ClientError

        found = self._get("SECRET#server", name, consistent=True)
        if found is None:
            value = base64.b64encode(secrets.token_bytes(32)).decode()
            try:
                with dynamodb_errors():
                    self._db.put_item(
                        TableName=self.table_name,
                        Item=_marshal({"PK": "SECRET#server", "SK": name, "value": value}),
                        ConditionExpression="attribute_not_exists(PK)",
                    )
            except ClientError as exc:  # another function made it first: read theirs
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            found = self._get("SECRET#server", name, consistent=True)
            assert found is not None
        return base64.b64decode(found["value"])
