import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApiSchema, printApiSchema } from '../graphql/schema';
import { PACKAGE_ROOT } from '../paths';

const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'schema', 'schema.graphql');

/** `foundation-wire schema [--write | --check]`: the SDL, written to or compared with schema/schema.graphql. */
export async function schemaCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { write: { type: 'boolean' }, check: { type: 'boolean' } } });
  const sdl = printApiSchema(await buildApiSchema());
  if (values.write) {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, sdl);
    process.stdout.write(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE}\n`);
    return 0;
  }
  if (values.check) {
    const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
    if (committed !== sdl) {
      process.stderr.write('schema: schema/schema.graphql differs from the code; run `npm run schema` and commit it\n');
      return 1;
    }
    process.stdout.write('schema/schema.graphql is up to date\n');
    return 0;
  }
  process.stdout.write(sdl);
  return 0;
}
