"""Terratest-style harness: deploy, validate and tear down a throwaway copy of an environment."""
