"""Layer 0 (with cpy2py.meta and cpy2py.exceptions): helpers shared by the runtime, standard library only."""
