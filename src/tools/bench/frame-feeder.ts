/**
 * A camera stand-in in its own process, so that what the bench measures in
 * the station's process is the frame source's cost alone:
 *   mjpeg DIR_OF_JPEGS FPS       → an HTTP MJPEG stream; prints its URL
 *   hot-folder DIR_OF_JPEGS FPS TARGET → writes the JPEGs into TARGET at FPS
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const [mode, dir, fpsText, target] = process.argv.slice(2);
const frames = readdirSync(dir!)
  .filter((n) => n.endsWith('.jpg'))
  .sort()
  .map((n) => readFileSync(join(dir!, n)));
const period = 1000 / Number(fpsText);

if (mode === 'mjpeg') {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
    let n = 0;
    const timer = setInterval(() => {
      const jpeg = frames[n++ % frames.length]!;
      res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      res.write('\r\n');
    }, period);
    res.on('close', () => clearInterval(timer));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`));
} else if (mode === 'hot-folder') {
  let n = 0;
  process.stdout.write('ready\n');
  setInterval(() => writeFileSync(join(target!, `f${String(n).padStart(6, '0')}.jpg`), frames[n++ % frames.length]!), period);
} else {
  process.stderr.write(`frame-feeder: unknown mode ${mode}\n`);
  process.exit(2);
}
