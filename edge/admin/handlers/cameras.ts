// `edgectl cameras list | snapshot | live`: camera health, the latest frame as JPEG, and a
// live preview (ffmpeg → jsmpeg, with a player page) behind a one-time token, on loopback or the
// box's LAN address, for as long as edgectl runs.
import { isIP } from 'node:net';
import { z } from 'zod';
import { IocError } from '../../../common/errors.js';
import { componentLogger } from '../../../common/log.js';
import { redactText } from '../../../common/redact.js';
import { CameraPreview, type Camera } from '../../camera/index.js';
import { PREVIEW_DEFAULT_HOST } from '../../camera/preview.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { agentStatus, type StatusView } from './status.js';
import { parseParams, untilAborted } from './params.js';
import { previewPage } from '../preview-page.js';

const CameraParam = z.object({ camera: z.string().min(1) });
const LiveParams = CameraParam.extend({
  port: z.number().int().min(0).max(65_535).default(0),
  timeoutS: z.number().min(5).max(3600).default(600),
  /** The main stream looks better; the sub-stream costs the box less (default). */
  main: z.boolean().default(false),
  /** Loopback unless the technician names the box's LAN address; never every interface (the uplink is one). */
  host: z
    .string()
    .refine((h) => isIP(h) !== 0, 'expected an IP address of this box, e.g. its LAN address')
    .refine((h) => !['0.0.0.0', '::'].includes(h), "not every interface: give the box's LAN address")
    .default(PREVIEW_DEFAULT_HOST),
});

function findCamera(agent: Pick<AgentView, 'cameras'>, id: string): Camera {
  const cameras = agent.cameras();
  const camera = cameras.find((c) => c.config.id === id);
  if (camera) return camera;
  const known = cameras.map((c) => c.config.id);
  throw new IocError('NOT_FOUND', `no camera "${id}" on this box (${known.length > 0 ? `configured: ${known.join(', ')}` : 'no cameras configured'})`);
}

export function cameraHandlers(agent: StatusView): AdminHandlers {
  return {
    'cameras.list': async () => (await agentStatus(agent)).cameras,

    'cameras.snapshot': async (params) => {
      const { camera: id } = parseParams(CameraParam, params);
      const jpeg = await findCamera(agent, id).snapshot();
      return { camera: id, contentType: 'image/jpeg', bytes: jpeg.length, wallMs: Date.now(), jpegBase64: jpeg.toString('base64') };
    },

    'cameras.live': async (params, ctx) => {
      const { camera: id, port, timeoutS, main, host } = parseParams(LiveParams, params);
      const camera = findCamera(agent, id);
      const url = main ? camera.config.url : (camera.config.sub_url ?? camera.config.url);
      const preview = await CameraPreview.start({
        cameraId: id,
        url,
        rtspTransport: camera.config.rtsp_transport,
        host,
        port,
        timeoutMs: timeoutS * 1000,
        page: previewPage(id),
        logger: componentLogger('preview'),
      }).catch((err: unknown) => {
        throw new IocError('UNAVAILABLE', redactText(`live preview did not start: ${(err as Error).message}`), { cause: err });
      });
      try {
        ctx.emit({ camera: id, host: preview.host, port: preview.port, token: preview.token.value, timeoutS });
        const stopped = await Promise.race([untilAborted(ctx.signal).then(() => undefined), preview.closed]);
        const end = stopped ?? (await preview.close('closed'));
        return { camera: id, stopped: end.reason, ...(end.detail ? { detail: end.detail } : {}) };
      } finally {
        await preview.close();
      }
    },
  };
}
