"""The local stack: template.yaml built on moto, tasks dispatched to the real handlers."""
