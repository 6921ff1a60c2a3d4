"""Twins on other hosts over SSH (docs/DESIGN.md, "Twins on other hosts").

Standard library only, and independent of the ``cpy2py`` runtime: the same files run as
the local stand-in of a remote twin, as the local hub that owns one ssh client per host,
and, shipped over that connection, as the agent on the remote host.
"""
