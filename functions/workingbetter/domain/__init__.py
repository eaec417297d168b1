"""Pure rules of the service: no AWS, no I/O."""
