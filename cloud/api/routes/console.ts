// The operator console's files (console-static.ts) behind a catch-all GET: registered last, it
// answers only the GET paths no other route took.
import { consoleStatic } from '../console-static.js';
import type { RouteModule } from '../route-module.js';

export function consoleRoutes(tileUrl: string | undefined): RouteModule {
  return (app) => {
    app.get('*', consoleStatic({ tileUrl }));
  };
}
