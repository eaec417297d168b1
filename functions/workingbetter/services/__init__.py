"""The service's rules over the adapters: intake, human steps, withdrawal, the pathway's
tasks, lists and case records. No AWS call of their own; settings are passed in."""
