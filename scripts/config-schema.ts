/**
 * `npm run config:schema`: writes config/schema.json from the zod schema in lib/config/schema.ts.
 * Run it after changing a field; a test fails while the checked-in file is stale. An argument writes
 * elsewhere instead (the test uses it).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchemaText } from '../lib/config';

const target = process.argv[2] ? path.resolve(process.argv[2]) : CONFIG_JSON_SCHEMA_PATH;
writeFileSync(target, configJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
