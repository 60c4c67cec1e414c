"""The local runner: Kawal on an embedded AWS (moto) on 127.0.0.1. Not deployed."""
