import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configLeaves } from './load.ts';
import { renderConfigDocs } from './print.ts';

describe('configuration reference', () => {
  it('docs/configuration.md is what `print-default-config --docs` prints (regenerate it when this fails)', () => {
    const committed = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(committed, renderConfigDocs());
  });

  it('documents every leaf of the schema', () => {
    const docs = renderConfigDocs();
    for (const leaf of configLeaves())
      assert.ok(docs.includes(`\`${leaf.path}\``), `${leaf.path} is not documented`);
  });
});
