// /openapi.json: the OpenAPI document of every route registered before it, generated from the
// same schemas that validate.
import { softwareVersion } from '../../../common/paths.js';
import type { RouteModule } from '../route-module.js';

export function openApiDocumentRoutes(): RouteModule {
  return (app) => {
    app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
    app.doc31('/openapi.json', {
      openapi: '3.1.0',
      info: { title: 'ioc-edge coordinator API', version: softwareVersion(), description: 'Điện Biên IOC: devices, events, sensors, triage.' },
      security: [{ bearer: [] }],
    });
  };
}
