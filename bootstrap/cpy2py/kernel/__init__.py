"""The per-process kernel: connections, dispatch of requests, object lifetime."""
