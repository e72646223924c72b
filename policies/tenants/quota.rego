# Quota per tenant: the vCPUs a tenant runs (the sum of instance count x vCPUs of the instance
# type over its enabled components, all stacks together) stay within data.config.quotas.
# Evaluated once per tenant: input is {"tenant": name, "components": [describe output, ...]}.
package paved.tenants.quota

import data.paved.lib.stacks
import rego.v1

sizes := object.get(data, ["config", "instance_types"], {})

# The count is read once per component, not once per instance type.
cpu(c) := n * sum([x | some t in stacks.instance_types(c); x := sizes[t]]) if {
	n := stacks.instance_count(c)
	is_number(n)
}

usage := sum([cpu(c) |
	some c in input.components
	stacks.concrete(c)
	stacks.enabled(c)
])

deny contains {
	"msg": sprintf("tenant %s runs %v vCPUs, over its quota of %v", [input.tenant, usage, quota]),
	"id": "tenants-quota",
} if {
	quota := data.config.quotas[input.tenant].cpu
	usage > quota
}
