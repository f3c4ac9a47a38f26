'use strict';
// Rebuild dist/ with tsc when any source under src/, migrations/ or scripts/ is newer than the last build.
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.tsbuildinfo');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  // A compiled-only install (the Docker image) ships dist/ without the sources: use it as it is.
  if (!existsSync(join(root, 'src')) && existsSync(join(root, 'dist', 'src', 'cli', 'index.js'))) return;
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sourceDirs = ['src', 'migrations', 'scripts'].map((d) => join(root, d)).filter((d) => existsSync(d));
  const sources = Math.max(...sourceDirs.map(newestMtime), statSync(join(root, 'tsconfig.json')).mtimeMs);
  if (built >= sources && existsSync(join(root, 'dist', 'src', 'cli', 'index.js'))) return;
  process.stderr.write('[ae-db] compiling TypeScript sources …\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
  });
  // An incremental tsc that finds nothing to change (sources touched, not edited: a checkout,
  // a rebase) leaves its build info as it was; mark the build as current so it runs once.
  const now = new Date();
  if (existsSync(stamp)) utimesSync(stamp, now, now);
}

module.exports = { ensureBuilt };
if (require.main === module) ensureBuilt();
