"""The examples run as their own programs; their tests import them from examples/<name>/."""
import os
import sys

PORTAL_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "examples", "portal")
sys.path.insert(0, os.path.abspath(PORTAL_DIR))
