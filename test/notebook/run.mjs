// `npm run test:notebook`: serve a throwaway embedded database with sample data, execute
// examples/notebook.ipynb headless, and run the plain tests of examples/python/ae_client.py.
// Needs Debian's python3-pandas python3-requests python3-matplotlib jupyter-nbconvert python3-ipykernel.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
require(join(root, 'bin', 'build-if-needed.js')).ensureBuilt();
const { freePort } = require(join(root, 'dist', 'src', 'db', 'embedded.js'));

// What an executed code cell must not show: no output at all, an error, or an empty pandas
// result (the notebook asserts its results are non-empty too; this catches a cell that forgot).
const EMPTY_RESULT = [/Empty DataFrame/, /Series\(\[\], /, /<tbody>\s*<\/tbody>/];
function cellProblems(cell) {
  const outputs = cell.outputs ?? [];
  if (!outputs.length) return ['no output'];
  const text = (v) => (Array.isArray(v) ? v.join('') : (v ?? ''));
  return outputs.flatMap((o) => {
    if (o.output_type === 'error') return [`error ${o.ename}: ${o.evalue}`];
    if (o.output_type === 'stream' && o.name === 'stderr' && /Traceback|Error/.test(text(o.text)))
      return [`stderr: ${text(o.text).trim().slice(0, 300)}`];
    const shown =
      o.output_type === 'stream' ? text(o.text) : ['text/plain', 'text/html'].map((k) => text(o.data?.[k])).join('\n');
    const marker = EMPTY_RESULT.find((re) => re.test(shown));
    return marker ? [`empty result (${marker.source}): ${shown.trim().slice(0, 200)}`] : [];
  });
}

// The committed notebook carries no outputs, so diffs show code changes only.
const source = JSON.parse(readFileSync(join(root, 'examples', 'notebook.ipynb'), 'utf8'));
const uncleared = source.cells.filter(
  (c) => c.cell_type === 'code' && (c.outputs?.length || c.execution_count !== null),
);
if (uncleared.length) {
  console.error(
    `[test:notebook] FAILED: examples/notebook.ipynb has ${uncleared.length} code cell(s) with outputs or an execution count; clear them before committing`,
  );
  process.exit(1);
}

const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const dir = mkdtempSync(join(tmpdir(), 'ae-notebook-'));
chmodSync(dir, 0o755);
const port = await freePort();
const dataDir = join(dir, 'pg');
// A write token for this run only: the ingest_recording tests write through it.
const writeToken = randomBytes(24).toString('hex');
const server = spawn(process.execPath, [join(root, 'dist', 'src', 'server.js')], {
  env: {
    ...process.env,
    AE_DATABASE_URL: '',
    AE_EMBEDDED_DATA_DIR: dataDir,
    PORT: String(port),
    AE_LOG_FORMAT: 'json',
    AE_WRITE_TOKEN: writeToken,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let failed = false;
try {
  await new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout });
    lines.on('line', (line) => {
      if (line.includes('ready in')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready`)));
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const [pidFile] = [join(dataDir, 'postmaster.pid')];
  const pgPort = readFileSync(pidFile, 'utf8').split('\n')[3].trim();
  const password = readFileSync(join(dir, 'pg.password'), 'utf8').trim();
  const sqlUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/acoustic_emissions`;
  const env = {
    ...process.env,
    AE_GRAPHQL_URL: url,
    AE_SQL_URL: sqlUrl,
    AE_WRITE_TOKEN: writeToken,
    MPLBACKEND: 'Agg',
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };

  console.log(`[test:notebook] executing examples/notebook.ipynb against ${url}`);
  const nb = spawnSync(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.timeout=300',
      '--output-dir',
      dir,
      '--output',
      'executed.ipynb',
      join(root, 'examples', 'notebook.ipynb'),
    ],
    { env, stdio: 'inherit' },
  );
  if (nb.status !== 0) throw new Error('the notebook failed (see the cell error above)');
  const executed = JSON.parse(readFileSync(join(dir, 'executed.ipynb'), 'utf8'));
  const codeCells = executed.cells.filter((c) => c.cell_type === 'code');
  const problems = codeCells.flatMap((cell, i) =>
    cellProblems(cell).map((p) => `code cell ${i + 1} (${cell.id ?? 'no id'}): ${p}`),
  );
  if (problems.length)
    throw new Error(`the executed notebook shows ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  console.log(
    `[test:notebook] ${codeCells.length} code cells ran, each with output and none with an error or an empty result`,
  );

  console.log('[test:notebook] ae_client.py tests');
  const unit = spawnSync(python, [join(root, 'examples', 'python', 'test_ae_client.py')], { env, stdio: 'inherit' });
  if (unit.status !== 0) throw new Error('ae_client.py tests failed');
} catch (e) {
  failed = true;
  console.error(`[test:notebook] FAILED: ${e.message}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
