/** `npm run docs`: rewrite docs/data-model.md from the code (a test fails when it is stale). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/config';
import { renderDataModel } from '../src/services/schema/data-model-doc';

renderDataModel()
  .then((markdown) => {
    const dir = join(projectRoot(), 'docs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'data-model.md');
    writeFileSync(file, markdown);
    console.log(`wrote ${file} (${markdown.split('\n').length} lines)`);
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
