"""One module per flinkey resource: its models, partial models, field references and endpoints."""
