"""Inter-process communication: framing over sockets and the connection handshake."""
