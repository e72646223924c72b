# Required tags: every Terraform component instance carries the tags in data.config.required_tags
# (default Team and CostCenter) in `vars.tags`, so every cloud resource can be traced and billed.
package paved.stacks.tags

import data.paved.lib.stacks
import rego.v1

required := object.get(data, ["config", "required_tags"], ["Team", "CostCenter"])

tags := object.get(input, ["vars", "tags"], {})

deny contains {
	"msg": sprintf("%s is missing the %q tag in vars.tags", [stacks.name(input), tag]),
	"id": "stacks-required-tags",
	"path": tags_path,
} if {
	stacks.concrete(input)
	stacks.terraform(input)
	some tag in required
	not non_empty(object.get(tags, tag, ""))
}

default tags_path := "/vars"

tags_path := "/vars/tags" if input.vars.tags

non_empty(v) if {
	is_string(v)
	trim_space(v) != ""
}
