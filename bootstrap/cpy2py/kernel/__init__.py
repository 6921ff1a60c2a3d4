"""
Layer 3, the kernel: connections, who reads, dispatch, the operations table, object
lifetime, the supervisors (cpy2py-run's control channel, or a standalone one)
"""
