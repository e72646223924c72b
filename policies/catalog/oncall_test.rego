package paved.catalog.oncall_test

import data.paved.catalog.oncall
import rego.v1

service(lifecycle, annotations) := {
	"kind": "Component",
	"metadata": {"name": "web", "annotations": annotations},
	"spec": {"type": "service", "lifecycle": lifecycle},
}

test_production_service_with_pagerduty if {
	count(oncall.warn) == 0 with input as service("production", {"pagerduty.com/service-id": "P123"})
}

test_production_service_without_oncall if {
	{m.id | some m in oncall.warn} == {"catalog-oncall-annotation"} with input as service("production", {})
}

test_empty_annotation_does_not_count if {
	count(oncall.warn) == 1 with input as service("production", {"pagerduty.com/service-id": ""})
}

test_experimental_needs_none if {
	count(oncall.warn) == 0 with input as service("experimental", {})
}

test_libraries_need_none if {
	count(oncall.warn) == 0 with input as {"kind": "Component", "metadata": {"name": "lib"}, "spec": {"type": "library", "lifecycle": "production"}}
}
