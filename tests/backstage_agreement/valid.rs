//! Valid entities of the nine kinds, each with a random choice of the optional fields.

use super::rng::Rng;
use super::tree::{Y, map, s, strs};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Component,
    Api,
    Resource,
    System,
    Domain,
    Group,
    User,
    Location,
    Template,
}

pub const KINDS: [Kind; 9] = [
    Kind::Component,
    Kind::Api,
    Kind::Resource,
    Kind::System,
    Kind::Domain,
    Kind::Group,
    Kind::User,
    Kind::Location,
    Kind::Template,
];

/// A relation field: name, default kind (`None`: the ref must name its kind), and whether the
/// field holds a list.
pub struct RelField {
    pub field: &'static str,
    pub default_kind: Option<&'static str>,
    pub list: bool,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Component => "Component",
            Kind::Api => "API",
            Kind::Resource => "Resource",
            Kind::System => "System",
            Kind::Domain => "Domain",
            Kind::Group => "Group",
            Kind::User => "User",
            Kind::Location => "Location",
            Kind::Template => "Template",
        }
    }

    pub fn api_version(self, rng: &mut Rng) -> &'static str {
        match self {
            Kind::Template => "scaffolder.backstage.io/v1beta3",
            _ if rng.chance(20) => "backstage.io/v1beta1",
            _ => "backstage.io/v1alpha1",
        }
    }

    /// Spec fields the kind's schema requires.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Component => &["type", "lifecycle", "owner"],
            Kind::Api => &["type", "lifecycle", "owner", "definition"],
            Kind::Resource => &["type", "owner"],
            Kind::System | Kind::Domain => &["owner"],
            Kind::Group => &["type", "children"],
            Kind::User => &["memberOf"],
            Kind::Location => &[],
            Kind::Template => &["type", "steps"],
        }
    }

    /// Spec fields of type string (required or optional) in the kind's schema.
    pub fn string_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Component => &["type", "lifecycle", "owner", "system", "subcomponentOf"],
            Kind::Api => &["type", "lifecycle", "owner", "system", "definition"],
            Kind::Resource => &["type", "owner", "system"],
            Kind::System => &["owner", "domain", "type"],
            Kind::Domain => &["owner", "subdomainOf", "type"],
            Kind::Group => &["type", "parent"],
            Kind::User => &[],
            Kind::Location => &["type", "target"],
            Kind::Template => &["type", "owner", "lifecycle"],
        }
    }

    /// Spec fields that are lists of strings in the kind's schema.
    pub fn list_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Component => &["providesApis", "consumesApis", "dependsOn"],
            Kind::Resource => &["dependsOn"],
            Kind::Group => &["children", "members"],
            Kind::User => &["memberOf"],
            Kind::Location => &["targets"],
            _ => &[],
        }
    }

    /// Fields Backstage turns into relations (BuiltinKindsEntityProcessor).
    pub fn relations(self) -> &'static [RelField] {
        match self {
            Kind::Component => &[
                RelField { field: "owner", default_kind: Some("group"), list: false },
                RelField { field: "subcomponentOf", default_kind: Some("component"), list: false },
                RelField { field: "providesApis", default_kind: Some("api"), list: true },
                RelField { field: "consumesApis", default_kind: Some("api"), list: true },
                RelField { field: "dependsOn", default_kind: None, list: true },
                RelField { field: "system", default_kind: Some("system"), list: false },
            ],
            Kind::Api => &[
                RelField { field: "owner", default_kind: Some("group"), list: false },
                RelField { field: "system", default_kind: Some("system"), list: false },
            ],
            Kind::Resource => &[
                RelField { field: "owner", default_kind: Some("group"), list: false },
                RelField { field: "dependsOn", default_kind: None, list: true },
                RelField { field: "system", default_kind: Some("system"), list: false },
            ],
            Kind::System => &[
                RelField { field: "owner", default_kind: Some("group"), list: false },
                RelField { field: "domain", default_kind: Some("domain"), list: false },
            ],
            Kind::Domain => &[
                RelField { field: "owner", default_kind: Some("group"), list: false },
                RelField { field: "subdomainOf", default_kind: Some("domain"), list: false },
            ],
            Kind::Group => &[
                RelField { field: "parent", default_kind: Some("group"), list: false },
                RelField { field: "children", default_kind: Some("group"), list: true },
                RelField { field: "members", default_kind: Some("user"), list: true },
            ],
            Kind::User => &[RelField { field: "memberOf", default_kind: Some("group"), list: true }],
            Kind::Template => &[RelField { field: "owner", default_kind: Some("group"), list: false }],
            Kind::Location => &[],
        }
    }
}

pub fn any_kind(rng: &mut Rng) -> Kind {
    *rng.pick(&KINDS)
}

/// A valid entity name: mostly the lower-case words people use, sometimes the rest of what the
/// format allows.
pub fn name(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => format!("{}.{}", rng.word(), rng.below(10)),
        1 => format!("My_{}", rng.word().replace('-', "_")),
        2 => format!("V{}", rng.below(1000)),
        _ => rng.word(),
    }
}

/// A valid reference for a field whose default kind is `default_kind` (`None`: kind needed).
pub fn reference(rng: &mut Rng, default_kind: Option<&str>) -> String {
    let name = rng.word();
    let ns = if rng.chance(25) { format!("{}/", rng.pick(&["default", "ops", "team-a"])) } else { String::new() };
    match default_kind {
        Some(_) if rng.chance(60) => format!("{ns}{name}"),
        Some(k) if rng.chance(50) => format!("{}:{ns}{name}", case_variant(rng, k)),
        _ => {
            let k = rng.pick(&["component", "resource", "api", "Component", "Resource", "system"]);
            format!("{k}:{ns}{name}")
        }
    }
}

fn case_variant(rng: &mut Rng, kind: &str) -> String {
    match rng.below(3) {
        0 => kind.to_string(),
        1 => kind.to_uppercase(),
        _ => {
            let mut c = kind.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        }
    }
}

fn refs(rng: &mut Rng, default_kind: Option<&str>, max: usize) -> Y {
    let n = rng.below(max + 1);
    Y::Seq((0..n).map(|_| s(reference(rng, default_kind))).collect())
}

pub fn metadata(rng: &mut Rng) -> Y {
    let mut m = map(vec![("name", s(name(rng)))]);
    if rng.chance(20) {
        m.set(&["namespace"], s(*rng.pick(&["default", "ops", "team-a", "a--b", "x1"])));
    }
    if rng.chance(30) {
        m.set(&["title"], s(*rng.pick(&["Booking API", "Rates", "Düsseldorf hub", "Cargo: manifests"])));
    }
    if rng.chance(50) {
        m.set(
            &["description"],
            s(*rng.pick(&["Moves cargo.", "", "Two lines\nof text.\n", "Says \"hi\" # not a comment"])),
        );
    }
    if rng.chance(20) {
        m.set(&["labels"], map(vec![("tier", s("critical")), ("example.com/team", s(rng.word())), ("empty", s(""))]));
    }
    if rng.chance(40) {
        m.set(
            &["annotations"],
            map(vec![
                ("github.com/project-slug", s(format!("tidewater/{}", rng.word()))),
                ("backstage.io/techdocs-ref", s("dir:.")),
                ("example.com/note", s(*rng.pick(&["", "any text: at all", "multi\nline\n"]))),
            ]),
        );
    }
    if rng.chance(40) {
        let tags: Vec<&str> =
            (0..rng.below(4)).map(|_| *rng.pick(&["java", "c++", "c#", "a:b", "node-js", "go", "123"])).collect();
        m.set(&["tags"], strs(&tags));
    }
    if rng.chance(20) {
        m.set(
            &["links"],
            Y::Seq(vec![
                map(vec![
                    ("url", s("https://grafana.example.com/d/x")),
                    ("title", s("Dashboard")),
                    ("icon", s("dashboard")),
                ]),
                map(vec![("url", s("mailto:team@example.com")), ("type", s("contact"))]),
            ]),
        );
    }
    if rng.chance(5) {
        m.set(&["x-custom"], map(vec![("anything", Y::Raw("[1, true, ~]".into()))]));
    }
    m
}

pub fn spec(kind: Kind, rng: &mut Rng) -> Y {
    let lifecycle = || s("production");
    let mut spec = match kind {
        Kind::Component => map(vec![
            ("type", s(*rng.pick(&["service", "website", "library"]))),
            ("lifecycle", lifecycle()),
            ("owner", s(reference(rng, Some("group")))),
        ]),
        Kind::Api => map(vec![
            ("type", s(*rng.pick(&["openapi", "asyncapi", "graphql", "grpc"]))),
            ("lifecycle", s(*rng.pick(&["production", "experimental", "deprecated"]))),
            ("owner", s(reference(rng, Some("group")))),
            (
                "definition",
                s(*rng.pick(&[
                    "openapi: 3.0.0\ninfo:\n  title: x\n  version: 1.0.0\npaths: {}\n",
                    "type Query {\n  ping: String\n}\n",
                    "syntax = \"proto3\";",
                ])),
            ),
        ]),
        Kind::Resource => map(vec![("type", s("database")), ("owner", s(reference(rng, Some("group"))))]),
        Kind::System | Kind::Domain => map(vec![("owner", s(reference(rng, Some("group"))))]),
        Kind::Group => map(vec![("type", s("team")), ("children", refs(rng, Some("group"), 3))]),
        Kind::User => map(vec![("memberOf", refs(rng, Some("group"), 3))]),
        Kind::Location => location_spec(rng),
        Kind::Template => template_spec(rng),
    };
    // Optional fields, each present now and then.
    for f in kind.relations() {
        if kind.required().contains(&f.field) || !rng.chance(35) {
            continue;
        }
        let v = if f.list { refs(rng, f.default_kind, 3) } else { s(reference(rng, f.default_kind)) };
        spec.set(&[f.field], v);
    }
    if matches!(kind, Kind::System | Kind::Domain) && rng.chance(30) {
        spec.set(&["type"], s("business"));
    }
    if matches!(kind, Kind::Group | Kind::User) && rng.chance(40) {
        spec.set(
            &["profile"],
            map(vec![
                ("displayName", s("Ada Lovelace")),
                ("email", s("ada@example.com")),
                ("picture", s("https://example.com/a.png")),
            ]),
        );
    }
    if matches!(kind, Kind::Component | Kind::Resource) && rng.chance(10) {
        let v = s(reference(rng, None));
        spec.set(&["dependencyOf"], if rng.chance(50) { Y::Seq(vec![v]) } else { v });
    }
    if rng.chance(10) {
        spec.set(&["x-tier"], s("gold"));
    }
    spec
}

fn location_spec(rng: &mut Rng) -> Y {
    let mut spec = map(vec![]);
    if rng.chance(50) {
        spec.set(&["type"], s("url"));
    }
    match rng.below(4) {
        0 => spec.set(&["target"], s("./catalog-info.yaml")),
        1 => spec.set(&["targets"], strs(&["./a.yaml", "./services/*/catalog-info.yaml"])),
        2 => {
            spec.set(&["target"], s("https://github.com/tidewater/platform/blob/main/catalog-info.yaml"));
            spec.set(&["targets"], strs(&["../other.yaml"]));
        }
        _ => {}
    }
    if rng.chance(30) {
        spec.set(&["presence"], s(*rng.pick(&["required", "optional"])));
    }
    spec
}

fn template_spec(rng: &mut Rng) -> Y {
    let step = |id: &str, action: &str| {
        map(vec![
            ("id", s(id)),
            ("name", s("A step")),
            ("action", s(action)),
            ("input", map(vec![("url", s("./skeleton"))])),
        ])
    };
    let mut spec = map(vec![
        ("type", s("service")),
        ("steps", Y::Seq(vec![step("fetch", "fetch:template"), step("publish", "publish:github")])),
    ]);
    if rng.chance(60) {
        spec.set(&["owner"], s(reference(rng, Some("group"))));
    }
    if rng.chance(30) {
        spec.set(&["lifecycle"], s("experimental"));
    }
    let props = map(vec![("name", map(vec![("title", s("Name")), ("type", s("string"))]))]);
    match rng.below(3) {
        0 => spec.set(
            &["parameters"],
            map(vec![("title", s("About")), ("required", strs(&["name"])), ("properties", props)]),
        ),
        1 => spec.set(&["parameters"], Y::Seq(vec![map(vec![("title", s("About")), ("properties", props)])])),
        _ => {}
    }
    if rng.chance(40) {
        spec.set(
            &["output"],
            map(vec![
                (
                    "links",
                    Y::Seq(vec![map(vec![
                        ("title", s("Repository")),
                        ("url", s("${{ steps.publish.output.remoteUrl }}")),
                    ])]),
                ),
                ("text", Y::Seq(vec![map(vec![("title", s("Next")), ("content", s("Done."))])])),
            ]),
        );
    }
    spec
}

/// A valid entity of `kind`.
pub fn entity(kind: Kind, rng: &mut Rng) -> Y {
    map(vec![
        ("apiVersion", s(kind.api_version(rng))),
        ("kind", s(kind.name())),
        ("metadata", metadata(rng)),
        ("spec", spec(kind, rng)),
    ])
}
