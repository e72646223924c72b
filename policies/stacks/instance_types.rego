# Instance types: compute sizes come from an allow-list (data.config.instance_types, which also
# gives each type's vCPUs for the tenant quota).
package paved.stacks.instance_types

import data.paved.lib.stacks
import rego.v1

allowed := object.get(data, ["config", "instance_types"], {})

deny contains {
	"msg": sprintf("%s uses instance type %q, which is not on the allow-list", [stacks.name(input), t]),
	"id": "stacks-instance-type-not-allowed",
	"path": path_of(t),
} if {
	count(allowed) > 0
	some t in stacks.instance_types(input)
	not allowed[t]
	stacks.concrete(input)
}

path_of(t) := "/vars/instance_type" if input.vars.instance_type == t

path_of(t) := "/vars/instance_class" if {
	input.vars.instance_class == t
	not input.vars.instance_type == t
}

path_of(t) := sprintf("/vars/instance_types/%d", [i]) if {
	not input.vars.instance_type == t
	not input.vars.instance_class == t
	some i, x in input.vars.instance_types
	x == t
}
