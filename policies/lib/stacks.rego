# Helpers over a component instance (Atmos `describe component` output).
package paved.lib.stacks

import rego.v1

# Abstract components are never deployed; policies skip them.
concrete(c) if object.get(c, ["metadata", "type"], "real") != "abstract"

# Disabled components (`vars.enabled: false`) are not deployed either.
enabled(c) if object.get(c, ["vars", "enabled"], true) != false

# The Terraform component folder: `metadata.component`, else `component`.
terraform_component(c) := object.get(c, ["metadata", "component"], object.get(c, "component", ""))

terraform(c) if object.get(c, "component_type", "terraform") == "terraform"

# Instance sizes named by the usual variables.
instance_types(c) := {t |
	some key in ["instance_type", "instance_class"]
	t := c.vars[key]
	is_string(t)
} | {t | some t in object.get(c, ["vars", "instance_types"], [])}

# How many instances run: instance_count, desired_size (node groups), else 1.
instance_count(c) := object.get(c, ["vars", "instance_count"], object.get(c, ["vars", "desired_size"], 1))

# `stack/component`, how diagnostics and waivers name an instance.
name(c) := sprintf("%s/%s", [object.get(c, "atmos_stack", object.get(c, "stack", "?")), object.get(c, "atmos_component", object.get(c, "component", "?"))])
