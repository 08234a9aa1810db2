import { Type, type SchemaOptions, type TLiteral, type TNull, type TSchema, type TUnion } from '@sinclair/typebox';

/** One of a fixed list of strings; a tuple type so the type provider infers the union of the values. */
export const oneOf = <const T extends readonly string[]>(values: T, options?: SchemaOptions) =>
  Type.Union(values.map((v) => Type.Literal(v)), options) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;

/** `schema` or null. */
export const Nullable = <T extends TSchema>(schema: T, options?: SchemaOptions): TUnion<[T, TNull]> => Type.Union([schema, Type.Null()], options);
