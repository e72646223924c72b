# Required tags: every Terraform component instance carries the tags in data.config.required_tags
# (default Team and CostCenter) in `vars.tags`, so every cloud resource can be traced and billed.
package paved.stacks.tags

import data.paved.lib.stacks
import rego.v1

required := object.get(data, ["config", "required_tags"], ["Team", "CostCenter"])

tags := object.get(input, ["vars", "tags"], {})

# The required tags set to a non-blank string.
present contains tag if {
	some tag in required
	v := tags[tag]
	is_string(v)
	trim_space(v) != ""
}

deny contains {
	"msg": sprintf("%s is missing the %q tag in vars.tags", [stacks.name(input), tag]),
	"id": "stacks-required-tags",
	"path": tags_path,
} if {
	some tag in required
	not present[tag]
	# Last: function calls cost more than the lookups above, which most instances pass.
	stacks.concrete(input)
	stacks.terraform(input)
}

default tags_path := "/vars"

tags_path := "/vars/tags" if input.vars.tags
