import json, os, sys
print(json.dumps({"argv": sys.argv[1:], "file": os.path.basename(sys.argv[0])}))
