/**
 * The typed config, derived from the schema at the type level so the two cannot drift: a key
 * with a `default` (or listed in `required`) is always present after validation, others are
 * optional. test/unit/config/types.test.ts pins the derivation down.
 */
import type { mapSchema, nodeConfigSchema } from './schema.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<P, R> = {
  [K in keyof P]: K extends R ? K : P[K] extends { default: unknown } ? K : never;
}[keyof P];

type ObjectOf<P, R> = Simplify<
  { -readonly [K in RequiredKeys<P, R>]: FromSchema<P[K]> } & {
    -readonly [K in Exclude<keyof P, RequiredKeys<P, R>>]?: FromSchema<P[K]>;
  }
>;

/** The value type a (const) JSON schema describes, after ajv applied its defaults. */
export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'string' }
    ? string
    : S extends { type: 'integer' | 'number' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : S extends { type: 'array'; items: infer I }
          ? FromSchema<I>[]
          : S extends { type: 'object'; properties: infer P }
            ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
            : unknown;

/** A validated node configuration with every default filled in. */
export type Config = FromSchema<typeof nodeConfigSchema>;
export type MapConfig = FromSchema<typeof mapSchema>;
export type Credentials = NonNullable<Config['credentials']>;
export type Limits = Config['limits'];
