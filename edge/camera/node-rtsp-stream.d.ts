// Types for the parts of node-rtsp-stream (plain JS, no typings) that the preview uses.
declare module 'node-rtsp-stream' {
  import type { EventEmitter } from 'node:events';
  import type { ChildProcess } from 'node:child_process';
  import type { Server as WsServer } from 'ws';

  interface VideoStreamOptions {
    name: string;
    streamUrl: string;
    wsPort: number;
    width?: number;
    height?: number;
    ffmpegPath?: string;
    ffmpegOptions?: Record<string, string | number>;
    /** Not read by the library: our subclass binds its websocket server to it. */
    host?: string;
  }

  class VideoStream extends EventEmitter {
    constructor(options: VideoStreamOptions);
    options: VideoStreamOptions;
    width?: number;
    height?: number;
    wsServer: WsServer;
    pipeStreamToSocketServer(): this;
    onSocketConnect(socket: unknown, request?: unknown): unknown;
    /** The ffmpeg child process. */
    stream: ChildProcess;
    stop(): this;
  }
  export = VideoStream;
}
