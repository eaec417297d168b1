"""What every HTTP route shares, below the routes themselves: who is calling, reading a body,
answering (problem+json, FHIR OperationOutcome, HTML errors) and the response headers. The
JSON routes, the pages and the FHIR routes all build on it; it imports none of them."""
