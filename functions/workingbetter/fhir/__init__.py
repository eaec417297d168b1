"""FHIR R4 for GP systems: a ServiceRequest in, a Task that follows the referral out.

`routes` is the Chalice blueprint api.py registers; it imports nothing heavy at init.
`fhir.resources` (the validating models) loads with the first request that sends a resource.
The mapping is pure: `service_request` turns a resource into the JSON API's own intake body,
`task` turns a referral item into a Task, `outcome` turns errors into OperationOutcomes.
"""
