"""The only code that knows AWS: DynamoDB (store, its keys, item ⇄ record, updates), Step
Functions (workflow) and Cognito (tokens, sign-in). Services see typed records, never items."""
