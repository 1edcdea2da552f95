import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { platformConfigJsonSchema } from '../lib/config/config-schema';

/** Writes config/platform.schema.json from the config definition, so editors complete what the app enforces. */
const target = path.resolve(process.argv[2] ?? 'config/platform.schema.json');
writeFileSync(target, `${JSON.stringify(platformConfigJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
