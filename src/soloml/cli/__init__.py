"""The command line: a thin shell over the public API (parse, call, print, exit code)."""
