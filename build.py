"""Build the course in this folder: `python build.py` is `coursepack build .`."""

import sys

from coursepack.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]])
