# Regions: each tenant deploys only to its allowed regions (data.config.allowed_regions; tenants
# not listed there are unrestricted).
package paved.stacks.regions

import data.paved.lib.stacks
import rego.v1

deny contains {
	"msg": sprintf("%s deploys to %s; tenant %s may use only %s", [stacks.name(input), region, tenant, concat(", ", allowed)]),
	"id": "stacks-region-not-allowed",
	"path": "/vars/region",
} if {
	tenant := input.vars.tenant
	allowed := data.config.allowed_regions[tenant]
	region := input.vars.region
	not region in allowed
	# Last: a function call costs more than the lookups above, which most instances pass.
	stacks.concrete(input)
}
