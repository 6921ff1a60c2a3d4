"""Layer 1: bytes and frames on a socket (no pickles, no threads of the kernel)"""
