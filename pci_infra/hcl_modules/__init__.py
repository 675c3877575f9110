"""Typed wrappers of our vetted HCL modules in ``modules/`` (one wrapper per module)."""
