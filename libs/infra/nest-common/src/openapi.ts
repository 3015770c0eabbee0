import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

export interface OpenApiOptions {
  title: string;
  description: string;
  version: string;
  /**
   * Component schemas by name, referenced from the controllers' decorators as `#/components/schemas/<name>`:
   * zod schemas (the same ones the service validates with, converted) or JSON schemas as they are.
   */
  schemas?: Record<string, z.ZodType | Record<string, unknown>>;
  /** Request-body schemas: like `schemas`, converted as the input they accept (fields with defaults optional). */
  requestSchemas?: Record<string, z.ZodType>;
}

type JsonSchema = Record<string, unknown>;

const LOCAL_REF = /^#\/(?:definitions|\$defs)\/(.+)$/;

/**
 * zod writes the sub-schemas a schema uses more than once (and recursive ones, such as an audience rule made of
 * rules) under the schema's own `definitions`, referenced as `#/definitions/<id>`. OpenAPI resolves references from
 * the document root, where those do not exist: every definition moves to `components.schemas` (zod's generated
 * `__schemaN` ids prefixed with the component's name, ids given with `.meta({ id })` kept) and the references follow.
 */
export function hoistDefinitions(name: string, converted: JsonSchema): Record<string, JsonSchema> {
  const { definitions, $defs, ...root } = converted as JsonSchema & {
    definitions?: Record<string, JsonSchema>;
    $defs?: Record<string, JsonSchema>;
  };
  const local = { ...definitions, ...$defs };
  const componentName = (id: string) => (id.startsWith('__') ? `${name}${id}` : id);
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => {
        const match = key === '$ref' && typeof value === 'string' ? LOCAL_REF.exec(value) : null;
        return [key, match ? `#/components/schemas/${componentName(match[1])}` : rewrite(value)];
      }),
    );
  };
  const hoisted: Record<string, JsonSchema> = { [name]: rewrite(root) as JsonSchema };
  for (const [id, schema] of Object.entries(local)) hoisted[componentName(id)] = rewrite(schema) as JsonSchema;
  return hoisted;
}

/**
 * Serves the service's OpenAPI document: the UI at `/docs`, the JSON at `/docs/openapi.json`. Paths come from the
 * controllers' decorators; bodies and responses point at `schemas`, so the document and the validation share one
 * source (the zod contracts).
 */
export function serveOpenApi(app: INestApplication, options: OpenApiOptions): void {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas: Record<string, JsonSchema> = {};
  const add = (name: string, schema: z.ZodType | JsonSchema, io: 'input' | 'output') =>
    Object.assign(
      schemas,
      schema instanceof z.ZodType
        ? hoistDefinitions(name, z.toJSONSchema(schema, { target: 'openapi-3.0', io }) as JsonSchema)
        : { [name]: schema },
    );
  for (const [name, schema] of Object.entries(options.schemas ?? {})) add(name, schema, 'output');
  for (const [name, schema] of Object.entries(options.requestSchemas ?? {})) add(name, schema, 'input');
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...schemas } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
