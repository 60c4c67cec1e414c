"""Entities, the status machine, geography, messages, statistics: pure (pydantic, stdlib)."""
