# On-call: production services and websites carry an on-call annotation (PagerDuty, Opsgenie), so
# an incident reaches a person. A warning until every production service has one; raise it to an
# error in paved.yaml (`rules: {policy/catalog-oncall-annotation: error}`).
package paved.catalog.oncall

import rego.v1

annotations := object.get(data, ["config", "oncall_annotations"], ["pagerduty.com/service-id", "pagerduty.com/integration-key", "opsgenie.com/component-selector"])

types := object.get(data, ["config", "oncall_types"], ["service", "website"])

has_oncall if {
	some a in annotations
	input.metadata.annotations[a] != ""
}

warn contains {
	"msg": sprintf("production %s %s has no on-call annotation (one of %s)", [input.spec.type, input.metadata.name, concat(", ", annotations)]),
	"id": "catalog-oncall-annotation",
	"path": "/metadata",
} if {
	input.kind == "Component"
	input.spec.lifecycle == "production"
	input.spec.type in types
	not has_oncall
}
