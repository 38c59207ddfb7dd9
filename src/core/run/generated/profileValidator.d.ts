/**
 * The run-profile validator that scripts/lib/profileValidator.mjs generates at build time from
 * schemas/mllab-profiles.schema.json (ajv standalone code, all errors collected). The JavaScript
 * is built into dist/vendor/profile-validator.js (loaded on first use) and, for the tests, next
 * to the transpiled core in out/; only this declaration is in the source tree.
 */

/** One failed check, as ajv reports it (ajv's ErrorObject). */
export interface SchemaError {
  /** the keyword that failed: type, pattern, required, additionalProperties, anyOf, oneOf... */
  keyword: string;
  /** JSON Pointer to the value in the data, e.g. "/profiles/train/run/ports/1" ("" for the file) */
  instancePath: string;
  /** JSON Pointer to the keyword in the schema, e.g. "#/properties/profiles/additionalProperties/properties/run/properties/ports/items/type" */
  schemaPath: string;
  /** keyword details, e.g. { additionalProperty: "volume" }, { missingProperty: "port" }, { propertyName: "1X" } */
  params: Record<string, unknown>;
  /** set on errors of a propertyNames schema: the key that failed */
  propertyName?: string;
  message?: string;
}

/** Validates the file's data (the YAML as plain values); fills `validate.errors` when it returns false. */
export const validate: ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
/** The JSON Schema itself, for the messages (descriptions, examples, enums, property names). */
export const schema: Record<string, unknown>;
