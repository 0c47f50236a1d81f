// The one shape of a route group: a factory takes the services its handlers need and returns
// this, which registers the group's OpenAPI routes on the app. cloud/api/routes/index.ts lists them all.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from './context.js';

export type RouteModule = (app: OpenAPIHono<ApiEnv>) => void;
