/** `import-logs schema`: JSON Schemas generated from the zod schemas (the committed schema/ folder). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../errors.js';
import { JSON_SCHEMAS, jsonSchemaText } from '../model/json-schemas.js';
import { SCHEMA_NAMES, type SchemaName } from '../model/names.js';

export interface SchemaArgs {
  name: SchemaName;
  write?: string | undefined;
}

export async function schemaCommand(args: SchemaArgs): Promise<number> {
  if (args.write === undefined) {
    process.stdout.write(jsonSchemaText(args.name));
    return EXIT.ok;
  }
  await mkdir(args.write, { recursive: true });
  for (const name of SCHEMA_NAMES) {
    const path = join(args.write, JSON_SCHEMAS[name].file);
    await writeFile(path, jsonSchemaText(name));
    process.stdout.write(`wrote ${path}\n`);
  }
  return EXIT.ok;
}
