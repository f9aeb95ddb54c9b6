/**
 * Validation of native records against their zod schemas at the speed of a few `typeof`s.
 * zod builds a new object for every record it parses; for the plain shapes adapters declare
 * (objects of optional strings, numbers, booleans, unknowns, nested objects, enums, literals,
 * arrays) a record that already conforms is returned as it is. Anything else — a mismatch, or a
 * schema with defaults, transforms or refinements — goes through `safeParse`, so the schema stays
 * the one authority on what is accepted.
 */
import type { z } from 'zod';

type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  checks?: unknown[];
  entries?: Record<string, unknown>;
  values?: unknown[];
}

const compiled = new WeakMap<z.ZodType, Check | null>();

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A check equivalent to the schema accepting the value unchanged, or null if there is none. */
function compile(schema: z.ZodType): Check | null {
  if (compiled.has(schema)) return compiled.get(schema)!;
  const def = defOf(schema);
  let check: Check | null = null;
  if ((def.checks?.length ?? 0) > 0) {
    check = null; // refinements (min, regex, …): leave them to zod
  } else {
    switch (def.type) {
      case 'string':
        check = (v) => typeof v === 'string';
        break;
      case 'number':
        check = (v) => typeof v === 'number' && Number.isFinite(v);
        break;
      case 'boolean':
        check = (v) => typeof v === 'boolean';
        break;
      case 'unknown':
      case 'any':
        check = () => true;
        break;
      case 'optional': {
        const inner = compile(def.innerType!);
        check = inner && ((v) => v === undefined || inner(v));
        break;
      }
      case 'nullable': {
        const inner = compile(def.innerType!);
        check = inner && ((v) => v === null || inner(v));
        break;
      }
      case 'catch': {
        const inner = compile(def.innerType!);
        check = inner; // a value the inner schema accepts is never replaced by the catch value
        break;
      }
      case 'literal': {
        const values = new Set(def.values);
        check = (v) => values.has(v);
        break;
      }
      case 'enum': {
        const values = new Set(Object.values(def.entries ?? {}));
        check = (v) => values.has(v);
        break;
      }
      case 'array': {
        const element = compile(def.element!);
        check = element && ((v) => Array.isArray(v) && v.every(element));
        break;
      }
      case 'object': {
        const catchall = def.catchall ? defOf(def.catchall).type : null;
        if (catchall !== null && catchall !== 'unknown' && catchall !== 'any') break;
        const fields: [string, Check][] = [];
        for (const [key, field] of Object.entries(def.shape ?? {})) {
          const fieldCheck = compile(field);
          if (!fieldCheck) {
            compiled.set(schema, null);
            return null;
          }
          fields.push([key, fieldCheck]);
        }
        check = (v) => {
          if (!isPlainObject(v)) return false;
          for (const [key, fieldCheck] of fields) if (!fieldCheck(v[key])) return false;
          return true;
        };
        break;
      }
      default:
        check = null;
    }
  }
  compiled.set(schema, check);
  return check;
}

/**
 * Like `schema.safeParse(value)`, but a value that already conforms is returned as it is (for a
 * non-loose object schema it keeps its undeclared keys: callers read declared fields only).
 */
export function parseRecord<T extends z.ZodType>(schema: T, value: unknown): z.ZodSafeParseResult<z.output<T>> {
  const check = compile(schema);
  if (check !== null && check(value)) return { success: true, data: value as z.output<T> };
  return schema.safeParse(value);
}
