#!/usr/bin/env node
// Launcher: roomcast runs its TypeScript sources directly with Node 24's type stripping. When an
// older Node starts this file (e.g. a system Node 20), re-run with the Node 24 that the project
// installs as a devDependency (npm package `node@24`).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  const { run } = await import(main);
  run();
} else {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(
      `roomcast needs Node.js 24 or newer (this is ${process.version}); run "npm ci" to install it locally.`,
    );
    process.exit(1);
  }
  const r = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
