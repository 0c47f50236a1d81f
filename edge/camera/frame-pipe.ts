// The channel ffmpeg writes raw frames into: a connected pair of local stream sockets rather
// than a stdio pipe, because our end of a socket can read straight into buffers we choose
// (`onread`). A stdio pipe hands over a fresh 64 KB chunk per read — 18 MB a second with four
// cameras at 640 px and 5 fps, ~30 MB of it dead but not yet collected at any moment.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface FramePipe {
  /** Our end: each read lands in the buffer `nextBuffer` returned. */
  reader: Socket;
  /** ffmpeg's end: pass it as the child's stdout, then `destroy()` this process's copy. */
  writer: Socket;
}

/**
 * `nextBuffer` is asked for the destination of every read (never an empty one); `onData` gets
 * how many bytes the last read put at the start of that buffer.
 */
export async function openFramePipe(nextBuffer: () => Uint8Array, onData: (bytes: number, into: Uint8Array) => void): Promise<FramePipe> {
  const server = createServer();
  let reader: Socket | undefined;
  try {
    // Linux abstract namespace (leading NUL): no socket file to place, clean up or leave behind.
    const path = `\0ioc-edge-frames-${process.pid}-${randomUUID()}`;
    server.listen(path);
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    reader = connect({
      path,
      onread: {
        buffer: nextBuffer,
        callback: (bytes, into) => {
          onData(bytes, into);
          return true;
        },
      },
    });
    const [[writer]] = await Promise.all([accepted, once(reader, 'connect')]);
    return { reader, writer };
  } catch (err) {
    reader?.destroy();
    throw err;
  } finally {
    server.close();
  }
}
