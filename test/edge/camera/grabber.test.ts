import t from 'tap';
import { spawnSync } from 'node:child_process';
import { FrameGrabber, ffmpegArgs, parseOutputSize } from '../../../edge/camera/grabber.js';
import { projectPath } from '../../../common/paths.js';
import { rootLogger } from '../../../common/log.js';
import type { Frame } from '../../../edge/camera/types.js';

t.test('ffmpeg arguments: one thread, detect size and rate, sub-stream transport', async (t) => {
  const args = ffmpegArgs({ url: 'rtsp://cam/sub', rtspTransport: 'udp', width: 640, fps: 5 });
  t.ok(args.includes('-threads') && args[args.indexOf('-threads') + 1] === '1');
  t.equal(args[args.indexOf('-rtsp_transport') + 1], 'udp');
  t.equal(args[args.indexOf('-vf') + 1], "fps=5,scale='min(640,iw)':-2:flags=area", "the detect width, or the stream's own if narrower");
  t.same(args.slice(-5), ['-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']);
  const file = ffmpegArgs({ url: 'file:/tmp/a.mp4', rtspTransport: 'tcp', width: 320, fps: 2 });
  t.ok(file.includes('-re') && file.includes('/tmp/a.mp4'), 'files play at their own rate');
});

t.test('output size from the stream report', async (t) => {
  const report = `Input #0, rtsp, from 'x':\n  Stream #0:0: Video: h264, yuv420p, 768x576, 10 fps\nOutput #0, rawvideo, to 'pipe:1':\n  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 640x480, q=2-31, 36864 kb/s, 5 fps`;
  t.same(parseOutputSize(report), { width: 640, height: 480 });
  t.equal(parseOutputSize(report.split('Output')[0]!), undefined, 'input size alone is not the output');
});

t.test('a file decodes to whole RGB frames at the detect rate and close() ends ffmpeg', async (t) => {
  const frames: Frame[] = [];
  const grabber = new FrameGrabber(
    {
      url: `file:${projectPath('test', 'fixtures', 'tree-20s.mp4')}`,
      rtspTransport: 'tcp',
      width: 320,
      fps: 5,
      ffmpegPath: 'ffmpeg',
      stallMs: 5_000,
      backoff: { initialMs: 100, maxMs: 200 },
    },
    { onFrame: (f) => frames.push(f) },
    rootLogger(),
  );
  grabber.start();
  t.teardown(() => grabber.close());
  await new Promise((r) => setTimeout(r, 2_500));
  await grabber.close();
  t.ok(frames.length >= 6 && frames.length <= 14, `${frames.length} frames in 2.5 s at 5 fps`);
  t.same([frames[0]!.width, frames[0]!.height], [320, 240]);
  t.ok(frames.every((f) => f.rgb.length === 320 * 240 * 3));
  t.ok(frames.every((f, i) => i === 0 || f.seq === frames[i - 1]!.seq + 1));
  t.notOk(grabber.running);
});

t.test('a stream narrower than the detect width is decoded at its own size, not upscaled', async (t) => {
  const frames: Frame[] = [];
  const grabber = new FrameGrabber(
    {
      url: `file:${projectPath('test', 'fixtures', 'tree-20s.mp4')}`,
      rtspTransport: 'tcp',
      width: 640,
      fps: 5,
      ffmpegPath: 'ffmpeg',
      stallMs: 5_000,
      backoff: { initialMs: 100, maxMs: 200 },
    },
    { onFrame: (f) => frames.push(f) },
    rootLogger(),
  );
  grabber.start();
  t.teardown(() => grabber.close());
  const deadline = Date.now() + 10_000;
  while (frames.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await grabber.close();
  t.same([frames[0]?.width, frames[0]?.height], [320, 240], 'the 320×240 clip stays 320×240');
});

t.test('frames are read straight into reused buffers; a held frame keeps its pixels', async (t) => {
  const clip = projectPath('test', 'fixtures', 'vtest-25s.mp4');
  const options = { url: `file:${clip}`, rtspTransport: 'tcp' as const, width: 320, fps: 5 };
  // The same decode without the grabber: what the first frames must contain, byte for byte.
  const args = ffmpegArgs(options)
    .filter((a) => a !== '-re')
    .slice(0, -1);
  const reference = spawnSync('ffmpeg', [...args, '-frames:v', '3', 'pipe:1'], { maxBuffer: 1 << 24 }).stdout;
  const frameBytes = 320 * 240 * 3;
  const seen: Frame[] = [];
  const firstThree: Buffer[] = [];
  let held: { frame: Frame; copy: Buffer } | undefined;
  let maxInUse = 0;
  const grabber: FrameGrabber = new FrameGrabber(
    { ...options, ffmpegPath: 'ffmpeg', stallMs: 5_000, backoff: { initialMs: 100, maxMs: 200 } },
    {
      onFrame: (f) => {
        seen.push(f);
        if (firstThree.length < 3) firstThree.push(Buffer.from(f.rgb));
        if (seen.length === 2) {
          grabber.pool.hold(f);
          held = { frame: f, copy: Buffer.from(f.rgb) };
        }
        maxInUse = Math.max(maxInUse, grabber.pool.inUse);
      },
    },
    rootLogger(),
  );
  grabber.start();
  t.teardown(() => grabber.close());
  await new Promise((r) => setTimeout(r, 3_000));
  await grabber.close();
  t.ok(seen.length >= 8, `${seen.length} frames`);
  t.ok(
    firstThree.every((f, i) => f.equals(reference.subarray(i * frameBytes, (i + 1) * frameBytes))),
    "frames match ffmpeg's own output byte for byte",
  );
  t.ok(new Set(seen.map((f) => f.rgb)).size <= 4, `buffers are reused (${new Set(seen.map((f) => f.rgb)).size} for ${seen.length} frames)`);
  t.ok(maxInUse <= 3, `at most the frame being filled, the one handed over and the held one are out (${maxInUse})`);
  t.ok(held?.frame.rgb.equals(held.copy), 'the held frame was never refilled');
  grabber.pool.release(held!.frame);
});
