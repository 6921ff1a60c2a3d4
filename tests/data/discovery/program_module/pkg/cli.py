import json, sys
print(json.dumps({"argv": sys.argv[1:], "name": __name__}))
