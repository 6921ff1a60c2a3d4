"""Layer 2: what the bytes of a connection mean (handshake, serializer, message kinds)"""
