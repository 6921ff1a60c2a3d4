"""Prints its arguments and the declared twins as one JSON line"""
import json
import os
import sys

print(json.dumps({"argv": sys.argv[1:], "twins": os.environ.get("CPY2PY_TWINS", "").split()}))
