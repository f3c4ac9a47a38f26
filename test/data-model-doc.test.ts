import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDataModel } from '../src/services/schema/data-model-doc';

it('docs/data-model.md is the generated data model (run `npm run docs` after changing an entity or a write rule)', async () => {
  const committed = readFileSync(join(__dirname, '..', 'docs', 'data-model.md'), 'utf8');
  expect(committed).toBe(await renderDataModel());
});
