#!/usr/bin/env node
// Entry point of `npx ae-db`: builds the TypeScript sources first when dist/ is missing
// or older than them (e.g. right after `ae-db revision` added a migration), then runs the CLI.
'use strict';
const { ensureBuilt } = require('./build-if-needed');
ensureBuilt();
// Named in full: a dist/ built before the CLI became a folder may still hold dist/src/cli.js,
// which require('../dist/src/cli') would load first.
require('../dist/src/cli/index.js').main();
