"""Issue 10, point 4: run as `cpy2py-run -m mypkg` (the TwinObject lives in __main__.py)"""
