// `restart_camera {camera}`: stops and starts one camera component (a stuck RTSP session, a
// camera rebooted by the guard); the others and the detector keep running.
import type { CommandHandler } from './command.js';
import { findCamera, stringArg } from './command.js';

export const restartCamera: CommandHandler = {
  name: 'restart_camera',
  async run(args, context) {
    const camera = findCamera(context, stringArg(args, 'camera'));
    await context.restartComponent(camera.name);
    return { status: 'done', detail: JSON.stringify({ restarted: camera.name }) };
  },
};
