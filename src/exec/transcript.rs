//! Terraform's own wording for plan and apply output, for fakes that must look like the real
//! thing (the [`ScriptedExecutor`](super::ScriptedExecutor), tests). Deterministic: the same
//! counts always give the same text.

use std::fmt::Write;

/// `terraform plan` output for these counts (with `planfile`: the "Saved the plan" trailer).
pub fn plan_output(add: u32, change: u32, destroy: u32, planfile: Option<&str>) -> String {
    let mut out = String::from("\nInitializing the backend...\n\nTerraform has been successfully initialized!\n");
    for i in 0..change {
        let _ = writeln!(out, "aws_route_table.private[{i}]: Refreshing state... [id=rtb-{i:017}]");
    }
    for i in 0..destroy {
        let _ = writeln!(out, "aws_security_group.legacy[{i}]: Refreshing state... [id=sg-{i:017}]");
    }
    out.push_str(&plan_body(add, change, destroy));
    if let Some(file) = planfile.filter(|_| add + change + destroy > 0) {
        let _ = write!(
            out,
            "\n{}\n\nSaved the plan to: {file}\n\nTo perform exactly these actions, run the following command to apply:\n    terraform apply \"{file}\"\n",
            "─".repeat(77)
        );
    }
    out
}

/// What a reviewer reads: the actions and the `Plan:` line, or `No changes.`
pub fn plan_body(add: u32, change: u32, destroy: u32) -> String {
    if add + change + destroy == 0 {
        return "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real \
                infrastructure against your configuration\nand found no differences, so no changes are needed.\n"
            .into();
    }
    let mut out = String::from(
        "\nTerraform used the selected providers to generate the following execution\nplan. Resource actions are \
         indicated with the following symbols:\n",
    );
    for (n, symbol) in [(add, "  + create"), (change, "  ~ update in-place"), (destroy, "  - destroy")] {
        if n > 0 {
            let _ = writeln!(out, "{symbol}");
        }
    }
    out.push_str("\nTerraform will perform the following actions:\n");
    for i in 0..add {
        let _ = write!(
            out,
            "\n  # aws_subnet.private[{i}] will be created\n  + resource \"aws_subnet\" \"private\" {{\n      + arn        \
             = (known after apply)\n      + cidr_block = \"10.0.{i}.0/24\"\n      + id         = (known after apply)\n    }}\n"
        );
    }
    for i in 0..change {
        let _ = write!(
            out,
            "\n  # aws_route_table.private[{i}] will be updated in-place\n  ~ resource \"aws_route_table\" \"private\" {{\n        \
             id   = \"rtb-{i:017}\"\n      ~ tags = {{\n          ~ \"Stage\" = \"old\" -> \"new\"\n        }}\n    }}\n"
        );
    }
    for i in 0..destroy {
        let _ = write!(
            out,
            "\n  # aws_security_group.legacy[{i}] will be destroyed\n  - resource \"aws_security_group\" \"legacy\" {{\n      \
             - id   = \"sg-{i:017}\" -> null\n    }}\n"
        );
    }
    let _ = writeln!(out, "\nPlan: {add} to add, {change} to change, {destroy} to destroy.");
    out
}

/// `terraform apply` output for these counts.
pub fn apply_output(add: u32, change: u32, destroy: u32) -> String {
    let mut out = String::new();
    for i in 0..add {
        let _ = write!(
            out,
            "aws_subnet.private[{i}]: Creating...\naws_subnet.private[{i}]: Creation complete after 1s [id=subnet-{i:017}]\n"
        );
    }
    for i in 0..change {
        let _ = write!(
            out,
            "aws_route_table.private[{i}]: Modifying... [id=rtb-{i:017}]\naws_route_table.private[{i}]: Modifications \
             complete after 0s [id=rtb-{i:017}]\n"
        );
    }
    for i in 0..destroy {
        let _ = write!(
            out,
            "aws_security_group.legacy[{i}]: Destroying... [id=sg-{i:017}]\naws_security_group.legacy[{i}]: \
             Destruction complete after 0s\n"
        );
    }
    let _ = writeln!(out, "\nApply complete! Resources: {add} added, {change} changed, {destroy} destroyed.");
    out
}

/// Terraform's error box, as printed on stderr.
pub fn error_output(message: &str) -> String {
    format!("╷\n│ Error: {message}\n│ \n╵\n")
}
