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
  const schemas = Object.fromEntries(
    Object.entries(options.schemas ?? {}).map(([name, schema]) => [
      name,
      schema instanceof z.ZodType ? z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output' }) : schema,
    ]),
  );
  for (const [name, schema] of Object.entries(options.requestSchemas ?? {})) {
    schemas[name] = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' });
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...schemas } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
