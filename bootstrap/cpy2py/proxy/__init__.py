"""Layer 4, proxies: local stand-ins for objects that live in another twinterpreter."""
