// `snapshot {camera}`: the camera's latest frame as a small JPEG. It goes back as a thumbnail
// record through the outbox (thumbnail lane: paced, budgeted, survives link cuts) rather than
// inside the receipt, which rides the control path and would hold up acks on a 2G link. The
// receipt names the event id under which the coordinator serves it.
import type { CommandHandler } from './command.js';
import { findCamera, stringArg } from './command.js';

/** The coordinator refuses thumbnails over 256 KiB (cloud/ingest/record-mapper.ts). */
const MAX_BYTES = 240 * 1024;
const MAX_WIDTH = 960;

export const snapshot: CommandHandler = {
  name: 'snapshot',
  async run(args, context, commandId) {
    const camera = findCamera(context, stringArg(args, 'camera'));
    const frame = await camera.snapshot();
    // Loaded on first use: sharp (libvips) costs the agent ~10 MB of RSS for a rare command.
    const { default: sharp } = await import('sharp');
    let quality = 75;
    let image = await sharp(frame).resize({ width: MAX_WIDTH, withoutEnlargement: true }).jpeg({ quality }).toBuffer({ resolveWithObject: true });
    while (image.data.length > MAX_BYTES && quality > 20) {
      quality -= 15;
      image = await sharp(frame)
        .resize({ width: Math.round(MAX_WIDTH * 0.75), withoutEnlargement: true })
        .jpeg({ quality })
        .toBuffer({ resolveWithObject: true });
    }
    const eventId = `snapshot-${commandId}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64);
    const appended = await context.outbox.append({
      kind: 'thumbnail',
      body: {
        thumbnail: {
          event_id: eventId,
          camera_id: camera.config.id,
          content_type: 'image/jpeg',
          data: image.data,
          width: image.info.width,
          height: image.info.height,
          score: 0,
        },
      },
    });
    return {
      status: 'done',
      detail: JSON.stringify({
        eventId,
        camera: camera.config.id,
        bytes: image.data.length,
        width: image.info.width,
        height: image.info.height,
        lane: appended.lane,
        seq: appended.seq,
      }),
    };
  },
};
