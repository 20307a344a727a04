import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Request, Response } from 'restify';
import { errorBody } from './error-body';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built tab. Unknown paths get index.html (the tab routes on the client),
 * except under /api/, where an unknown path is a JSON 404.
 */
export function staticFiles(root: string) {
  const rootWithSep = normalize(root + sep);
  return async (req: Request, res: Response) => {
    const path = decodeURIComponent((req.getPath() ?? '/').split('?')[0]!);
    if (path.startsWith('/api/')) {
      res.send(404, errorBody('not_found', 'No such endpoint. The API is described at /api/openapi.json.', req.getId()));
      return;
    }
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The tab has not been built. Run `npm run build` and restart the server.');
      return;
    }
    const candidate = normalize(join(root, path));
    const file = candidate.startsWith(rootWithSep) && existsSync(candidate) && statSync(candidate).isFile() ? candidate : index;
    const hashed = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      // Vite's assets carry a content hash in their names; index.html must stay fresh.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(file).pipe(res);
  };
}
