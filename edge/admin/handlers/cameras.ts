// `edgectl cameras list | snapshot | live`: camera health, the latest frame as JPEG, and a
// live preview (node-rtsp-stream, with a player page) on the box's local network for as long as
// edgectl runs.
import { z } from 'zod';
import type { EdgeAgent } from '../../agent.js';
import { IocError } from '../../../common/errors.js';
import { componentLogger } from '../../../common/log.js';
import { CameraPreview, type Camera } from '../../camera/index.js';
import type { AdminHandlers } from '../server.js';
import { agentStatus } from './status.js';
import { parseParams, untilAborted } from './params.js';
import { PreviewPage } from '../preview-page.js';

const CameraParam = z.object({ camera: z.string().min(1) });
const LiveParams = CameraParam.extend({
  port: z.number().int().min(0).max(65_535).default(0),
  timeoutS: z.number().min(5).max(3600).default(600),
  /** The main stream looks better; the sub-stream costs the box less (default). */
  main: z.boolean().default(false),
});

function findCamera(agent: EdgeAgent, id: string): Camera {
  const camera = agent.cameras.find((c) => c.config.id === id);
  if (camera) return camera;
  const known = agent.cameras.map((c) => c.config.id);
  throw new IocError('NOT_FOUND', `no camera "${id}" on this box (${known.length > 0 ? `configured: ${known.join(', ')}` : 'no cameras configured'})`);
}

export function cameraHandlers(agent: EdgeAgent): AdminHandlers {
  return {
    'cameras.list': async () => (await agentStatus(agent)).cameras,

    'cameras.snapshot': async (params) => {
      const { camera: id } = parseParams(CameraParam, params);
      const jpeg = await findCamera(agent, id).snapshot();
      return { camera: id, contentType: 'image/jpeg', bytes: jpeg.length, wallMs: Date.now(), jpegBase64: jpeg.toString('base64') };
    },

    'cameras.live': async (params, ctx) => {
      const { camera: id, port, timeoutS, main } = parseParams(LiveParams, params);
      const camera = findCamera(agent, id);
      const url = main ? camera.config.url : (camera.config.sub_url ?? camera.config.url);
      const preview = await CameraPreview.start({
        cameraId: id, url, port, timeoutMs: timeoutS * 1000, logger: componentLogger('preview'),
      }).catch((err: unknown) => {
        throw new IocError('UNAVAILABLE', `live preview did not start: ${(err as Error).message}`, { cause: err });
      });
      const player = await PreviewPage.start(id, preview.port).catch(async (err: unknown) => {
        await preview.close();
        throw new IocError('UNAVAILABLE', `live preview page did not start: ${(err as Error).message}`, { cause: err });
      });
      try {
        ctx.emit({ camera: id, port: preview.port, pagePort: player.port, timeoutS });
        await Promise.race([untilAborted(ctx.signal), preview.closed]);
      } finally {
        await player.close();
        await preview.close();
      }
      return { camera: id, stopped: ctx.signal.aborted ? 'closed' : 'timed out' };
    },
  };
}
