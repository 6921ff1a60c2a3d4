"""Layer 3, the kernel: connections, who reads, dispatch, the operations table, object lifetime, supervisors."""
