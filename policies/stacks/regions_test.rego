package paved.stacks.regions_test

import data.paved.stacks.regions
import rego.v1

allowed := {"plat": ["us-east-2", "us-west-2"]}

c(tenant, region) := {"atmos_stack": "s", "atmos_component": "vpc", "vars": {"tenant": tenant, "region": region}}

test_allowed_region if {
	count(regions.deny) == 0 with input as c("plat", "us-west-2") with data.config.allowed_regions as allowed
}

test_other_region_denied if {
	some m in regions.deny with input as c("plat", "eu-west-1") with data.config.allowed_regions as allowed
	m.id == "stacks-region-not-allowed"
	m.path == "/vars/region"
}

test_unlisted_tenant_is_unrestricted if {
	count(regions.deny) == 0 with input as c("core", "eu-west-1") with data.config.allowed_regions as allowed
}
