import { createRequire } from "node:module";

// @kubernetes-models/istio's validate() lets unknown fields through (its schemas lack
// additionalProperties: false), while the API server's strict field validation (kubectl's default)
// rejects them. To check that too we need the schemas themselves, which the package only hands to its
// validator's register(): we wrap that function on the shared CommonJS module and keep a copy.
const require = createRequire(import.meta.url);
const validator = require("@kubernetes-models/validate") as { register(id: string, schema: object): void };
const schemas = new Map<string, JsonSchema>();
const register = validator.register;
validator.register = (id: string, schema: object) => {
  schemas.set(id, schema as JsonSchema);
  register(id, schema);
};

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  $ref?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

interface ModelClass {
  new (data: object): { validate(): void };
}

const MODELS: Record<string, () => ModelClass> = {
  "extensions.istio.io/v1alpha1 WasmPlugin": () => require("@kubernetes-models/istio/extensions.istio.io/v1alpha1").WasmPlugin,
  "networking.istio.io/v1beta1 Gateway": () => require("@kubernetes-models/istio/networking.istio.io/v1beta1").Gateway,
  "networking.istio.io/v1beta1 VirtualService": () => require("@kubernetes-models/istio/networking.istio.io/v1beta1").VirtualService,
  "networking.istio.io/v1beta1 DestinationRule": () => require("@kubernetes-models/istio/networking.istio.io/v1beta1").DestinationRule,
};

export function isIstioKind(doc: { apiVersion?: string; kind?: string }): boolean {
  return `${doc.apiVersion} ${doc.kind}` in MODELS;
}

/** Fields the schema does not declare. An object schema with no properties is free-form (Istio marks those x-kubernetes-preserve-unknown-fields). */
function unknownFields(schema: JsonSchema, value: unknown, path: string): string[] {
  if (schema.$ref || value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return schema.items ? value.flatMap((item, i) => unknownFields(schema.items!, item, `${path}[${i}]`)) : [];
  const branches = [schema, ...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  const properties = Object.assign({}, ...branches.map((branch) => branch.properties ?? {})) as Record<string, JsonSchema>;
  const additional = schema.additionalProperties;
  if (Object.keys(properties).length === 0 && !additional) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    if (properties[key]) return unknownFields(properties[key], child, childPath);
    if (typeof additional === "object") return unknownFields(additional, child, childPath);
    return additional === true ? [] : [childPath];
  });
}

/** Problems with an Istio resource as the API server would see them: schema violations, then unknown fields. */
export function istioSchemaProblems(doc: Record<string, any>): string[] {
  const key = `${doc.apiVersion} ${doc.kind}`;
  const Model = MODELS[key]?.();
  if (!Model) return [`no Istio schema for ${key}`];
  const problems: string[] = [];
  try {
    new Model(doc).validate();
  } catch (error) {
    problems.push((error as Error).message);
  }
  const [group, version] = String(doc.apiVersion).split("/");
  const schema = schemas.get(`${group}.${version}.${doc.kind}`);
  if (!schema) return [...problems, `schema ${group}.${version}.${doc.kind} was not registered by validate()`];
  return [...problems, ...unknownFields(schema, doc, "").map((field) => `${field}: unknown field`)];
}
