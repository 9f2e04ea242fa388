import assert from 'node:assert/strict';
import { it } from 'node:test';
import { originAllowed } from './origin.ts';

it('applies the Origin allowlist rules', () => {
  assert.equal(originAllowed(undefined, 'a.com', []), true);
  assert.equal(originAllowed('https://a.com', 'a.com', []), true);
  assert.equal(originAllowed('https://b.com', 'a.com', []), false);
  assert.equal(originAllowed('null', 'a.com', []), false);
  assert.equal(originAllowed('https://x.example.com', 'a.com', ['*.example.com']), true);
  assert.equal(originAllowed('https://example.com', 'a.com', ['*.example.com']), false);
  assert.equal(originAllowed('https://x.example.com.evil.io', 'a.com', ['*.example.com']), false);
  assert.equal(originAllowed('http://x.example.com', 'a.com', ['https://*.example.com']), false);
  assert.equal(originAllowed('http://localhost:5173', 'a.com', ['http://localhost:5173']), true);
  assert.equal(originAllowed('https://anything', 'a.com', ['*']), true);
});
