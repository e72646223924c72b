package paved.tenants.quota_test

import data.paved.tenants.quota
import rego.v1

sizes := {"m6i.large": 2, "m6i.2xlarge": 8}

c(stack, vars) := {"atmos_stack": stack, "atmos_component": "eks", "vars": vars}

tenant := {"tenant": "plat", "components": [
	c("plat-ue2-dev", {"instance_types": ["m6i.large"], "desired_size": 3}),
	c("plat-ue2-prod", {"instance_type": "m6i.2xlarge", "instance_count": 4}),
	c("plat-uw2-prod", {"instance_type": "m6i.2xlarge", "instance_count": 100, "enabled": false}),
	c("plat-uw2-dev", {"cidr": "10.0.0.0/16"}),
]}

test_usage_sums_count_times_cpu if {
	quota.usage == 38 with input as tenant with data.config.instance_types as sizes
}

test_within_quota if {
	count(quota.deny) == 0 with input as tenant with data.config.instance_types as sizes
		with data.config.quotas as {"plat": {"cpu": 38}}
}

test_over_quota if {
	quota.deny == {{"msg": "tenant plat runs 38 vCPUs, over its quota of 30", "id": "tenants-quota"}} with input as tenant
		with data.config.instance_types as sizes
		with data.config.quotas as {"plat": {"cpu": 30}}
}

test_tenant_without_quota if {
	count(quota.deny) == 0 with input as tenant with data.config.instance_types as sizes with data.config.quotas as {}
}
