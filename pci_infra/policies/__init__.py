"""IAM and resource policy documents and the statements both environments reuse."""
