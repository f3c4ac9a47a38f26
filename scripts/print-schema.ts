/** `npm run schema`: rewrite schema.graphql from the code (a test fails when it is stale). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/config';
import { printAppSchema } from '../src/graphql/schema';

printAppSchema()
  .then((sdl) => {
    const file = join(projectRoot(), 'schema.graphql');
    writeFileSync(file, sdl);
    console.log(`wrote ${file} (${sdl.split('\n').length} lines)`);
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
