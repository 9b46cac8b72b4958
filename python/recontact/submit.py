"""The file to give spark-submit: ``recontact.spark.main`` as a script,
so that what the executors run is pickled by reference to the installed
``recontact.spark``."""

import sys

from recontact.spark import main

if __name__ == "__main__":
    sys.exit(main())
