// Backstage's own verdict on a catalog descriptor file: whether Backstage's default catalog pipeline would accept every
// entity of the file. It replays, with Backstage's published code, the stages that decide
// acceptance for a file read from a repository registered by URL (see
// ../shared/reference/backstage-catalog.md §1): YAML parse, envelope, catalog rules (all nine
// kinds allowed, as paved's default configuration does), entity policies, kind validation,
// the Location step's own checks (reading targets is a cross-file matter and left out) and
// relation reference parsing.
'use strict';

const yaml = require('yaml');
const {
  EntityPolicies,
  SchemaValidEntityPolicy,
  DefaultNamespaceEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  FieldFormatEntityPolicy,
  makeValidator,
  entityEnvelopeSchemaValidator,
  entitySchemaValidator,
  parseEntityRef,
  stringifyEntityRef,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} = require('@backstage/catalog-model');
const { templateEntityV1beta3Validator } = require('@backstage/plugin-scaffolder-common');

const ALLOWED_KINDS = ['component', 'api', 'resource', 'system', 'domain', 'group', 'user', 'location', 'template'];
const PARENT_LOCATION_TYPE = 'url';
const ALLOWED_LOCATION_TYPES = ['url'];

const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator()),
]);
const envelope = entityEnvelopeSchemaValidator();
const schema = entitySchemaValidator();
// BuiltinKindsEntityProcessor and ScaffolderEntitiesProcessor, in the backend's order.
const processors = [
  [
    apiEntityV1alpha1Validator,
    componentEntityV1alpha1Validator,
    resourceEntityV1alpha1Validator,
    groupEntityV1alpha1Validator,
    locationEntityV1alpha1Validator,
    userEntityV1alpha1Validator,
    systemEntityV1alpha1Validator,
    domainEntityV1alpha1Validator,
  ],
  [templateEntityV1beta3Validator],
];

// Relation fields per kind and their default kinds (BuiltinKindsEntityProcessor.postProcessEntity).
const RELATIONS = {
  component: [['owner', 'Group'], ['subcomponentOf', 'Component'], ['providesApis', 'API'], ['consumesApis', 'API'], ['dependsOn', undefined], ['dependencyOf', undefined], ['system', 'System']],
  api: [['owner', 'Group'], ['system', 'System']],
  resource: [['owner', 'Group'], ['dependsOn', undefined], ['dependencyOf', undefined], ['system', 'System']],
  system: [['owner', 'Group'], ['domain', 'Domain']],
  domain: [['owner', 'Group'], ['subdomainOf', 'Domain']],
  group: [['parent', 'Group'], ['children', 'Group'], ['members', 'User']],
  user: [['memberOf', 'Group']],
  template: [['owner', 'Group']],
  location: [],
};

const isPlainObject = v => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function parseFile(text) {
  const entities = [];
  const docs = yaml.parseAllDocuments(text, { merge: false });
  for (const doc of Array.isArray(docs) ? docs : []) {
    if (doc.errors && doc.errors.length) throw new Error(`YAML error, ${doc.errors[0]}`);
    const json = doc.toJSON();
    if (isPlainObject(json)) entities.push(json);
    else if (json !== null) throw new Error(`Expected object at root, got ${typeof json}`);
  }
  return entities;
}

async function checkEntity(entity) {
  // Stage 1: the envelope, checked when the entity is emitted.
  envelope(entity);
  const annotations = entity.metadata.annotations;
  if (annotations !== undefined && !isPlainObject(annotations)) throw new Error('metadata.annotations must be a valid object');
  // Stage 2: catalog rules.
  if (!ALLOWED_KINDS.includes(String(entity.kind).toLowerCase())) throw new Error(`kind ${entity.kind} is not allowed`);
  // Stage 4: entity policies.
  const processed = await policy.enforce(entity);
  // Stage 5: schema, then the processors' kind validators.
  schema(processed);
  let recognised = false;
  for (const validators of processors) {
    for (const v of validators) {
      if (await v.check(processed)) {
        recognised = true;
        break;
      }
    }
  }
  if (!recognised) throw new Error(`No processor recognized the entity ${stringifyEntityRef(processed)} as valid`);
  const kind = processed.kind.toLowerCase();
  const spec = processed.spec || {};
  // Stage 6: the Location step's own checks.
  if (kind === 'location') {
    const type = spec.type || PARENT_LOCATION_TYPE;
    if (type !== PARENT_LOCATION_TYPE && !ALLOWED_LOCATION_TYPES.includes(type)) {
      throw new Error(`Registered locations must be of an allowed type ${JSON.stringify(ALLOWED_LOCATION_TYPES)}`);
    }
    const targets = [spec.target, ...(spec.targets || [])].filter(Boolean);
    for (const t of targets) {
      if (type === 'file' && t.endsWith('/')) throw new Error(`LocationProcessor cannot handle a directory target: ${t}`);
    }
  }
  // Stage 7: relation references.
  const namespace = processed.metadata.namespace;
  for (const [field, defaultKind] of RELATIONS[kind] || []) {
    const targets = spec[field];
    if (!targets) continue;
    for (const target of [targets].flat()) {
      parseEntityRef(target, { defaultKind, defaultNamespace: namespace });
    }
  }
}

async function verdict(text) {
  try {
    for (const entity of parseFile(text)) await checkEntity(entity);
    return { ok: true, message: null };
  } catch (e) {
    return { ok: false, message: `${e.name}: ${e.message}` };
  }
}

module.exports = { verdict };
