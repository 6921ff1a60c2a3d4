"""Proxies: local stand-ins for objects that live in another twinterpreter."""
