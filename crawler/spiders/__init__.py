"""The one generic spider, driven by a seed."""
