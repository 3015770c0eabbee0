import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where `npm run build` puts the console's page (vite, apps/console/web): beside this file's folder in dist. */
export const WEB_DIR = join(__dirname, '..', 'web');

/**
 * The page's scripts and styles come from this origin only, it cannot be framed, and nothing is sent as a referrer;
 * inline style attributes are allowed (the chart library sets them), inline scripts are not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the built page at `/` with security headers on every answer; a clear 503 when it was not built. */
export function serveWebAssets(app: NestExpressApplication, webDir = WEB_DIR): void {
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('x-frame-options', 'DENY');
    response.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  if (existsSync(join(webDir, 'index.html'))) {
    // Hashed file names under assets/ never change; index.html is read afresh so a new build is picked up.
    app.useStaticAssets(webDir, {
      index: 'index.html',
      setHeaders: (response, path) =>
        response.setHeader(
          'cache-control',
          path.includes(`${join(webDir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
  } else {
    app.use('/', (request: Request, response: Response, next: NextFunction) => {
      if (request.method !== 'GET' || request.path !== '/') return next();
      response
        .status(503)
        .type('text/plain')
        .send(`The console's page is not built (${webDir} has no index.html): run npm run build.\n`);
    });
  }
}
