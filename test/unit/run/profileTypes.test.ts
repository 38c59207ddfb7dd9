/**
 * The TypeScript types of the profile file (src/core/run/profileTypes.ts) and its JSON Schema
 * (schemas/mllab-profiles.schema.json) name the same fields. TypeScript already checks that each
 * PROFILE_FIELDS list names every field of its type and no other; this test checks each list
 * against the schema's property names, both ways and in order, so a field added to one side only
 * fails here.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROFILE_FIELDS } from '../../../src/core/run/profileTypes';

interface Node {
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
}
const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../schemas/mllab-profiles.schema.json'), 'utf8')) as Node;
const profile = schema.properties!.profiles.additionalProperties as Node;
const props = (n: Node | undefined): string[] => Object.keys(n?.properties ?? {});

const sections: Array<{ name: keyof typeof PROFILE_FIELDS; schemaNode: Node | undefined }> = [
  { name: 'file', schemaNode: schema },
  { name: 'profile', schemaNode: profile },
  { name: 'build', schemaNode: profile.properties!.build },
  { name: 'run', schemaNode: profile.properties!.run },
  { name: 'app', schemaNode: profile.properties!.apps.items },
  { name: 'metric', schemaNode: profile.properties!.metrics.items },
  { name: 'swarm', schemaNode: profile.properties!.swarm },
];
for (const s of sections) {
  void test(`the ${s.name} fields of the TypeScript types are the schema's, in its order`, () => {
    assert.deepEqual([...PROFILE_FIELDS[s.name]], props(s.schemaNode));
  });
}

void test('every object with fields in the schema is one of the checked sections', () => {
  const found: string[] = [];
  const walk = (n: Node, at: string): void => {
    if (n.properties) found.push(at);
    for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, `${at}.${k}`);
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${at}.*`);
    if (n.items) walk(n.items, `${at}[]`);
  };
  walk(schema, '');
  assert.deepEqual(found.sort(), ['', '.profiles.*', '.profiles.*.apps[]', '.profiles.*.build', '.profiles.*.metrics[]', '.profiles.*.run', '.profiles.*.swarm'].sort());
});
