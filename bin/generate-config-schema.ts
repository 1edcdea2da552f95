import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { platformConfigJsonSchema } from '../lib/config/config-schema';
import { runCli } from './cli-args';

const USAGE = `usage: npm run schema -- [FILE]
  writes the JSON Schema of the platform config to FILE (default config/platform.schema.json),
  generated from the config definition, so editors complete and check what the app enforces
  --help  this text`;

runCli({ name: 'schema', usage: USAGE, options: {}, positionals: ['FILE'] }, (_flags, [file]) => {
  const target = path.resolve(file ?? 'config/platform.schema.json');
  writeFileSync(target, `${JSON.stringify(platformConfigJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
});
