"""Abuse-limit counters."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.base import _key, _Table, dynamodb_errors


class CounterStore(_Table):
    """Fixed-window counters for abuse limits; DynamoDB TTL deletes old windows."""

    def take(self, key: str, window: str, allowed: int, expires_at: int) -> bool:
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(f"QUOTA#{key}", window),
                    UpdateExpression="ADD n :one SET expires_at = :exp",
                    ConditionExpression="attribute_not_exists(n) OR n < :allowed",
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":allowed": {"N": str(allowed)},
                        ":exp": {"N": str(expires_at)},
                    },
                )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def give_back(self, key: str, window: str) -> None:
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                left = self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(f"QUOTA#{key}", window),
                    UpdateExpression="ADD n :minus",
                    ConditionExpression="n > :zero",
                    ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
                    ReturnValues="UPDATED_NEW",
                )["Attributes"]["n"]["N"]
                if left == "0":  # a refused request leaves no trace behind
                    self._db.delete_item(
                        TableName=self.table_name,
                        Key=_key(f"QUOTA#{key}", window),
                        ConditionExpression="n = :zero",
                        ExpressionAttributeValues={":zero": {"N": "0"}},
                    )
        except ClientError as exc:  # nothing to give back (the window rolled over, or a
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":  # race)
                raise
