"""Loading: discover manifest files, render Jinja ones, parse YAML with positions."""
