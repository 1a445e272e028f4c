"""The checks tests/appmsg_check.py runs, one module per concern."""
