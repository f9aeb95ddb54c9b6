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

/** Compiled checks by schema; null when the schema needs zod (refinements, defaults, …). */
const compiled = new WeakMap<z.ZodType, Check | null>();

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const isOptional = (schema: z.ZodType) => (schema as unknown as { _zod: { optin?: string } })._zod.optin === 'optional';

const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * JavaScript source of a condition that is true when the value in the variable `x` is accepted
 * unchanged by `schema`, or null if there is none. Non-primitive parts (nested objects, array
 * elements, sets of values) are functions in `helpers`, referred to as `h[i]`.
 */
function condition(schema: z.ZodType, x: string, helpers: unknown[]): string | null {
  const def = defOf(schema);
  if ((def.checks?.length ?? 0) > 0) return null; // refinements (min, regex, …): leave them to zod
  const helper = (value: unknown) => `h[${helpers.push(value) - 1}]`;
  switch (def.type) {
    case 'string':
    case 'boolean':
      return `typeof ${x} === "${def.type}"`;
    case 'number':
      return `(typeof ${x} === "number" && Number.isFinite(${x}))`;
    case 'unknown':
    case 'any':
      return 'true';
    case 'optional':
    case 'nullable': {
      const inner = condition(def.innerType!, x, helpers);
      return inner && `(${x} === ${def.type === 'optional' ? 'undefined' : 'null'} || ${inner})`;
    }
    case 'catch':
      // A value the inner schema accepts is never replaced by the catch value.
      return condition(def.innerType!, x, helpers);
    case 'literal':
    case 'enum': {
      const values = def.type === 'literal' ? (def.values ?? []) : Object.values(def.entries ?? {});
      if (values.every(isPrimitive))
        return values.length === 0 ? 'false' : `(${values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`;
      return `${helper(new Set(values))}.has(${x})`;
    }
    case 'array': {
      const element = compile(def.element!);
      return element && `(Array.isArray(${x}) && ${x}.every(${helper(element)}))`;
    }
    case 'object': {
      const check = compile(schema);
      return check && `${helper(check)}(${x})`;
    }
    default:
      return null;
  }
}

/** The check function of generated source; null where Node forbids code generation (zod checks instead). */
function generate(source: string, helpers: unknown[]): Check | null {
  try {
    return new Function('h', source)(helpers) as Check;
  } catch {
    return null;
  }
}

/**
 * An object's check is generated code: one property load by constant name per declared field, so
 * that V8 caches each load (a loop over the field names does a generic lookup for every field).
 */
function objectCheck(def: Def): Check | null {
  const catchall = def.catchall ? defOf(def.catchall).type : null;
  if (catchall !== null && catchall !== 'unknown' && catchall !== 'any') return null;
  const helpers: unknown[] = [];
  const steps: string[] = [];
  for (const [i, [key, field]] of Object.entries(def.shape ?? {}).entries()) {
    const cond = condition(field, `f${i}`, helpers);
    if (cond === null) return null;
    const name = JSON.stringify(key);
    // zod rejects an absent key unless the field is optional, even where `undefined` would pass.
    const present = isOptional(field) ? '' : ` if (f${i} === undefined && !(${name} in v)) return false;`;
    steps.push(`const f${i} = v[${name}];${present} if (!(${cond})) return false;`);
  }
  const body = `if (typeof v !== "object" || v === null || Array.isArray(v)) return false;\n${steps.join('\n')}\nreturn true;`;
  // The source is built from our own schemas' field names, each quoted by JSON.stringify.
  return generate(`return function check(v) {\n${body}\n}`, helpers);
}

/** A check equivalent to the schema accepting the value unchanged, or null if there is none. */
function compile(schema: z.ZodType): Check | null {
  const known = compiled.get(schema);
  if (known !== undefined) return known;
  compiled.set(schema, null); // a schema that refers to itself is left to zod
  const def = defOf(schema);
  let check: Check | null;
  if (def.type === 'object' && (def.checks?.length ?? 0) === 0) check = objectCheck(def);
  else {
    const helpers: unknown[] = [];
    const cond = condition(schema, 'v', helpers);
    check = cond === null ? null : generate(`return function check(v) { return ${cond}; }`, helpers);
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

/** What a failed parse says, for a parse warning: its first issue as `path: message`. */
export function issueText(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || 'record'}: ${issue.message}` : 'invalid record';
}
