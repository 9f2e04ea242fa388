// Renders the default configuration with its one-line docs (YAML comments) or as a Markdown
// table of keys, env variables and defaults. Both come from the schema.

import YAML from 'yaml';
import { configLeaves, defaultConfig } from './load.ts';
import { ConfigSchema } from './schema.ts';
import type { TSchema } from '@sinclair/typebox';

function describe(schema: TSchema, path: string[], doc: YAML.Document): void {
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (schema['type'] !== 'object' || !props) return;
  for (const [key, sub] of Object.entries(props)) {
    const p = [...path, key];
    const node = doc.getIn(p, true);
    const pair = (doc.getIn(path, true) as YAML.YAMLMap | undefined)?.items.find(
      (it) => YAML.isScalar(it.key) && it.key.value === key,
    );
    const text = [sub['description'], sub['env'] ? `env ${String(sub['env'])}` : undefined]
      .filter(Boolean)
      .join('; ');
    if (pair && YAML.isScalar(pair.key) && text) pair.key.commentBefore = ` ${text}`;
    if (node !== undefined) describe(sub, p, doc);
  }
}

export function renderDefaultConfig(format: 'yaml' | 'json'): string {
  const cfg = defaultConfig();
  if (format === 'json') return JSON.stringify(cfg, null, 2) + '\n';
  const doc = new YAML.Document(cfg);
  describe(ConfigSchema, [], doc);
  doc.commentBefore =
    ' roomcast configuration with every default. Load it with `roomcast serve --config <file>`.\n' +
    ' Precedence: defaults < --dev overlay < this file < ROOMCAST_* env < --key=value flags.';
  return doc.toString({ lineWidth: 0 });
}

export function renderConfigDocs(): string {
  const cfg = defaultConfig() as unknown as Record<string, unknown>;
  const get = (path: string): unknown =>
    path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], cfg);
  const rows = configLeaves()
    .filter((l) => l.path !== 'namespaces')
    .map(
      (l) =>
        `| \`${l.path}\` | ${l.env ? `\`${l.env}\`` : ''} | \`${JSON.stringify(get(l.path))}\` | ${l.description} |`,
    );
  return ['| key | env | default | meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
